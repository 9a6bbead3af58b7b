import assert from 'node:assert/strict';
import { connectionRow, evidenceRow, probeRow, serviceRows } from '../../../extension/core/panelModel';
import { RuntimeState } from '../../../extension/core/runtimeState';
import { buildTree } from '../../../extension/core/treeModel';
import { parsePanelMessage, type HostMessage } from '../../../webview/protocol';
import { initialState, MAX_ROWS, reduce, visibleEvidence } from '../../../webview/state';
import { instance, log, services, spec, status, view } from './fixtures';

function populated(): RuntimeState {
  const state = new RuntimeState();
  state.setServices(services(instance('i-1', 'checkout', true, { commit: 'ffa2b78aa11' }), instance('i-2', 'checkout', false)));
  state.setProbes([view(spec('p-1'), [status('p-1', 'i-1', 'bound', { hits: 2 })]), view(spec('p-2', { selector: { service: 'billing' } }))]);
  state.addEvidence([log(1, 'p-1', 'amount=15000'), log(2, 'p-1', 'amount=15,000')]);
  return state;
}

describe('side panel view models (host side)', () => {
  it('describes the connection with the actions that fix it', () => {
    assert.deepEqual(connectionRow({ status: 'signedOut', relay: 'ws://r' }, 0).actions, ['signIn', 'openSettings']);
    const failed = connectionRow({ status: 'failed', relay: 'ws://r', error: { code: 'unauthorized', message: 'refused', actions: ['signIn', 'showOutput'], transient: false } }, 0);
    assert.deepEqual(failed.actions, ['signIn']);
    assert.match(connectionRow({ status: 'connected', relay: 'ws://r', identity: { name: 'me', role: 'admin' } }, 2).text, /2 live agents/);
  });

  it('lists services with their deployed commit, probes with per-instance status, evidence with its location', () => {
    const state = populated();
    const [svc] = serviceRows(state.services());
    assert.equal(svc!.live, 1);
    assert.equal(svc!.instances[0]!.commit, 'ffa2b78');
    const row = probeRow(state.probe('p-1')!, state);
    assert.deepEqual([row.location, row.state, row.stateLabel, row.hits, row.instances[0]!.hits], ['src/validate.js:13', 'bound', 'bound 1/1', 2, 2]);
    const ev = evidenceRow(state.evidence.all()[1]!, state);
    assert.deepEqual([ev.key, ev.location, ev.text, ev.gap], ['2', 'src/validate.js:13', 'amount=15,000', false]);
  });
});

describe('services tree model', () => {
  it('nests services → instances (live first) → the probes that select them; probes for absent services wait apart', () => {
    const tree = buildTree(populated());
    assert.deepEqual(tree.map((n) => n.label), ['checkout', 'Waiting for their service']);
    const checkout = tree[0]!;
    assert.deepEqual(checkout.children.map((n) => [n.label, n.kind === 'instance' && n.connected]), [['i-1', true], ['i-2', false]]);
    const probe = checkout.children[0]!.children[0]!;
    assert.ok(probe.kind === 'probe' && probe.state === 'bound' && probe.description === 'bound · 2 hits', JSON.stringify(probe));
    assert.match(checkout.children[0]!.kind === 'instance' ? checkout.children[0]!.description : '', /commit ffa2b78/);
  });
});

describe('side panel state (webview side) and its message protocol', () => {
  const rows = (n: number, from = 1) => Array.from({ length: n }, (_, i) => ({ key: String(from + i), probeId: i % 2 ? 'p-2' : 'p-1', service: 'checkout', instance: 'i-1', at: '', time: '', text: `message ${from + i}`, gap: false }));

  it('appends evidence without duplicates, keeps the newest MAX_ROWS, and resets on request', () => {
    let s = reduce(initialState(), { type: 'evidence', rows: rows(3), reset: false });
    s = reduce(s, { type: 'evidence', rows: rows(3, 2), reset: false });
    assert.deepEqual(s.evidence.map((r) => r.key), ['1', '2', '3', '4']);
    s = reduce(s, { type: 'evidence', rows: rows(MAX_ROWS + 10, 100), reset: true });
    assert.equal(s.evidence.length, MAX_ROWS);
    assert.equal(s.evidence[0]!.key, '110');
  });

  it('filters by probe, service, instance and text, newest first; focusing a probe resets the other filters', () => {
    let s = reduce(initialState(), { type: 'evidence', rows: rows(6), reset: false });
    s = { ...s, filters: { ...s.filters, text: 'MESSAGE 5' } };
    assert.deepEqual(visibleEvidence(s).map((r) => r.key), ['5']);
    s = reduce(s, { type: 'focusProbe', probeId: 'p-2' } satisfies HostMessage);
    assert.deepEqual(visibleEvidence(s).map((r) => r.key), ['6', '4', '2']);
    assert.equal(s.filters.text, '');
  });

  it('accepts only well-formed messages from the webview', () => {
    assert.deepEqual(parsePanelMessage({ type: 'removeProbe', probeId: 'p-abc' }), { type: 'removeProbe', probeId: 'p-abc' });
    assert.equal(parsePanelMessage({ type: 'removeProbe', probeId: '../../etc' }), undefined);
    assert.equal(parsePanelMessage({ type: 'action', action: 'rm -rf' }), undefined);
    assert.equal(parsePanelMessage({ type: 'rendered', probes: 'p-1', services: [], evidence: 1 }), undefined);
    assert.equal(parsePanelMessage('ready'), undefined);
    assert.deepEqual(parsePanelMessage({ type: 'ready', extra: 1 }), { type: 'ready' });
  });
});
