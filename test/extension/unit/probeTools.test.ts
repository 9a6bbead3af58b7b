import assert from 'node:assert/strict';
import type { Evidence, SnapshotEvidence } from '../../../backend/protocol';
import { probeLenses } from '../../../extension/core/lensModel';
import { metricSeries } from '../../../extension/core/metricSeries';
import { probePermissions } from '../../../extension/core/permissions';
import { probeDisplay } from '../../../extension/core/probeDisplay';
import { RuntimeState, type StateChange } from '../../../extension/core/runtimeState';
import { SnapshotFocus } from '../../../extension/core/snapshotFocus';
import { shortPath, snapshotDetail } from '../../../extension/core/snapshotModel';
import { parsePanelMessage } from '../../../webview/protocol';
import { initialState, reduce, snapshotRows } from '../../../webview/state';
import { AT, instance, log, services, spec, status, view } from './fixtures';

function snapshot(id: number, probeId: string, amount: unknown = 15000): SnapshotEvidence {
  return {
    kind: 'snapshot',
    id,
    probeId,
    at: AT,
    service: 'checkout',
    instance: 'i-1',
    pauseMs: 0.42,
    frames: [
      {
        function: 'validate',
        file: 'src/validate.js',
        line: 13,
        locals: [
          { name: 'amount', type: typeof amount, value: amount as number },
          { name: 'order', type: 'Object', preview: '{amount: 15000, currency: "USD"}', children: [{ name: 'amount', type: 'number', value: 15000 }, { name: 'currency', type: 'string', value: 'USD' }] },
          { name: 'card', type: 'string', redacted: true },
        ],
      },
      { function: 'handle', file: 'src/server.js', line: 20 },
    ],
    watches: [{ expression: 'typeof amount', value: { type: 'string', value: 'number' } }, { expression: 'boom.x', error: 'ReferenceError: boom is not defined' }],
  };
}

function metric(id: number, probeId: string, count: number, p50?: number): Evidence {
  const window = { start: '2026-11-26T12:00:00.000Z', end: '2026-11-26T12:00:05.000Z' };
  return { kind: 'metric', id, probeId, at: AT, service: 'checkout', instance: 'i-1', metric: p50 === undefined ? 'count' : 'duration', window, count, ...(p50 !== undefined ? { p50, mean: p50, min: p50, max: p50, unit: 'ms' as const } : {}) };
}

describe('snapshot explorer model', () => {
  it('turns a capture into frames → variables, keeping the agent’s tree, notes and watch errors', () => {
    const detail = snapshotDetail(snapshot(7, 'p-s'), 'src/validate.js:13');
    assert.deepEqual([detail.evidenceId, detail.location, detail.frames.length, detail.pauseMs], [7, 'src/validate.js:13', 2, 0.42]);
    const [amount, order, card] = detail.frames[0]!.locals!;
    assert.deepEqual(amount, { name: 'amount', type: 'number', text: '15000' });
    assert.equal(order!.text, '{amount: 15000, currency: "USD"}');
    assert.deepEqual(order!.children!.map((c) => `${c.name}=${c.text}`), ['amount=15000', 'currency="USD"']);
    assert.deepEqual([card!.text, card!.note, card!.children], ['[redacted]', 'redacted', undefined]);
    assert.equal(detail.frames[1]!.locals, undefined, 'frames below the expanded ones have no locals');
    assert.equal(shortPath('/srv/app/releases/2026-11-26/checkout/src/validate.js'), '…/checkout/src/validate.js', 'long paths keep their last segments');
    assert.equal(shortPath('src/validate.js'), 'src/validate.js');
    assert.deepEqual(detail.watches.map((w) => `${w.name}=${w.text}`), ['typeof amount="number"', 'boom.x=<ReferenceError: boom is not defined>']);
  });

  it('follows the newest capture of the probe in view, and a probe asked for before its first capture', () => {
    const focus = new SnapshotFocus();
    assert.equal(focus.onEvidence([snapshot(1, 'p-a')])?.id, 1, 'the first capture is shown');
    assert.equal(focus.onEvidence([snapshot(2, 'p-b')]), undefined, 'another probe’s capture does not steal the view');
    assert.equal(focus.onEvidence([snapshot(3, 'p-a')])?.id, 3, 'a newer capture of the same probe replaces it');
    const all = [snapshot(1, 'p-a'), snapshot(2, 'p-b'), snapshot(3, 'p-a')];
    assert.equal(focus.focusProbe('p-b', all)?.id, 2);
    assert.equal(focus.focusProbe('p-c', all), undefined);
    assert.equal(focus.onEvidence([snapshot(4, 'p-a')]), undefined, 'waiting for p-c');
    assert.equal(focus.onEvidence([snapshot(5, 'p-c')])?.id, 5);
    assert.equal(focus.open(3, all)?.id, 3);
    assert.equal(focus.open(99, all), undefined);
  });
});

describe('metric charts model', () => {
  it('plots hits per window for counters and the median for durations; waits visibly for the first window', () => {
    const state = new RuntimeState();
    state.setProbes([
      view(spec('p-c', { kind: 'metric', metric: 'count' } as never)),
      view(spec('p-d', { kind: 'metric', metric: 'duration', endLine: 20 } as never)),
      view(spec('p-w', { kind: 'metric', metric: 'count' } as never)),
      view(spec('p-l')),
    ]);
    state.addEvidence([metric(1, 'p-c', 3), metric(2, 'p-d', 2, 12.5), metric(3, 'p-c', 7), metric(4, 'p-d', 4, 8)]);
    const rows = metricSeries(state.probes(), state.evidence);
    assert.deepEqual(rows.map((r) => [r.probeId, r.label, r.measure, r.points, r.min, r.max]), [
      ['p-c', 'count', 'hits per window', [3, 7], 3, 7],
      ['p-d', 'duration to line 20', 'p50 ms per window', [12.5, 8], 8, 12.5],
      ['p-w', 'count', 'hits per window', [], 0, 0],
    ]);
    assert.match(rows[0]!.latest, /^count count=7 in 5\.0s$/);
    assert.equal(rows[2]!.latest, 'waiting for the first window…');
  });
});

describe('CodeLens and permissions', () => {
  it('says the kind, hits and state over a probed line; proposals get approve and reject', () => {
    const state = new RuntimeState();
    state.setServices(services(instance('i-1')));
    state.setProbes([view(spec('p-1'), [status('p-1', 'i-1', 'bound', { hits: 3 })]), { ...view(spec('p-2', { kind: 'snapshot' } as never)), state: 'proposed' }, view(spec('p-3'), [status('p-3', 'i-1', 'pending', { reason: 'no loaded script matches src/validate.js yet' })])]);
    const lens = (id: string) => probeLenses(state.probe(id)!, probeDisplay(state.probe(id)!, state.services()));
    assert.deepEqual(lens('p-1').map((l) => [l.title, l.command]), [['$(pulse) Logpoint · 3 hits · open in panel', 'runtruth.openPanel']]);
    assert.deepEqual(lens('p-2').map((l) => l.command), ['runtruth.openPanel', 'runtruth.approveProbe', 'runtruth.rejectProbe']);
    assert.equal(lens('p-3')[0]!.title, '$(pulse) Logpoint · 0 hits · pending · open in panel');
  });

  it('mirrors the relay’s roles: viewers and AI tokens get a reason instead of buttons that fail', () => {
    assert.deepEqual(probePermissions({ name: 'ops', role: 'operator' }), { operate: true, decide: true });
    const viewer = probePermissions({ name: 'v', role: 'viewer' });
    assert.deepEqual([viewer.operate, viewer.decide], [false, false]);
    assert.match(viewer.why!, /viewer token: sign in with an operator token/);
    const ai = probePermissions({ name: 'bot', role: 'admin', ai: true });
    assert.deepEqual([ai.operate, ai.decide], [true, false]);
    assert.equal(probePermissions(undefined).operate, false);
  });
});

describe('pushed instance and probe changes', () => {
  it('adds, updates and marks instances offline in place, firing a services change each time', () => {
    const state = new RuntimeState();
    const changes: StateChange[] = [];
    state.onDidChange((c) => changes.push(c));
    state.setServices(services(instance('i-1')));
    state.applyInstance('checkout', instance('i-2'));
    state.applyInstance('billing', instance('b-1', 'billing'));
    state.applyInstance('checkout', instance('i-1', 'checkout', false));
    assert.deepEqual(state.services().map((s) => [s.service, s.instances.map((i) => `${i.instanceId}:${i.connected}`)]), [['checkout', ['i-1:false', 'i-2:true']], ['billing', ['b-1:true']]]);
    assert.equal(state.liveAgents(), 2);
    assert.equal(changes.filter((c) => c.services).length, 4);
    state.applyInstance('billing', instance('b-1', 'billing'));
    assert.equal(changes.length, 4, 'the same view again changes nothing');
  });

  it('applies lifecycle pushes: a proposal appears, approval makes it live, rejection removes it', () => {
    const state = new RuntimeState();
    state.applyProbeState({ ...view(spec('p-1')), state: 'proposed' });
    assert.equal(state.probe('p-1')!.proposed, true);
    state.applyProbeState({ ...view(spec('p-1')), state: 'live' });
    assert.equal(state.probe('p-1')!.proposed, false);
    state.applyProbeState({ ...view(spec('p-2')), state: 'proposed' });
    state.applyProbeState({ ...view(spec('p-2')), state: 'rejected' });
    assert.equal(state.probe('p-2'), undefined);
    state.applyProbeState({ ...view(spec('p-3')), state: 'expired' });
    assert.equal(state.probe('p-3'), undefined, 'an expiry of a probe never seen is not news');
    state.applyProbeState({ ...view(spec('p-1')), state: 'expired' });
    assert.equal(state.probe('p-1')!.expired, true);
  });
});

describe('panel messages for snapshots, charts and probe actions', () => {
  it('accepts only well-formed probe commands and snapshot requests from the webview', () => {
    assert.deepEqual(parsePanelMessage({ type: 'probeCommand', command: 'extend', probeId: 'p-1' }), { type: 'probeCommand', command: 'extend', probeId: 'p-1' });
    assert.equal(parsePanelMessage({ type: 'probeCommand', command: 'delete-everything', probeId: 'p-1' }), undefined);
    assert.equal(parsePanelMessage({ type: 'probeCommand', command: 'approve', probeId: '../x' }), undefined);
    assert.deepEqual(parsePanelMessage({ type: 'openSnapshot', evidenceId: 7 }), { type: 'openSnapshot', evidenceId: 7 });
    assert.equal(parsePanelMessage({ type: 'openSnapshot', evidenceId: -1 }), undefined);
    assert.equal(parsePanelMessage({ type: 'openSnapshot', evidenceId: '7' }), undefined);
    const report = parsePanelMessage({ type: 'rendered', probes: [], services: [], evidence: 0, snapshot: { evidenceId: 7, probeId: 'p-1', frames: 2, values: ['a=1'] }, charts: ['p-2'], actions: ['extend:p-1'] });
    assert.deepEqual(report && report.type === 'rendered' && [report.snapshot?.values, report.charts, report.actions], [['a=1'], ['p-2'], ['extend:p-1']]);
    const bad = parsePanelMessage({ type: 'rendered', probes: [], services: [], evidence: 0, snapshot: { evidenceId: 'x' } });
    assert.equal(bad && bad.type === 'rendered' && bad.snapshot, undefined);
  });

  it('focusing a probe opens the tab for its kind; snapshot captures are listed newest first', () => {
    let s = reduce(initialState(), { type: 'state', connection: undefined as never, services: [], probes: [{ probeId: 'p-s', kind: 'snapshot' }, { probeId: 'p-m', kind: 'metric' }, { probeId: 'p-l', kind: 'log' }] as never, metrics: [] });
    assert.equal(reduce(s, { type: 'focusProbe', probeId: 'p-s' }).tab, 'snapshots');
    assert.equal(reduce(s, { type: 'focusProbe', probeId: 'p-m' }).tab, 'metrics');
    assert.equal(reduce(s, { type: 'focusProbe', probeId: 'p-l' }).tab, 'evidence');
    const row = (key: string, kind: string) => ({ key, at: AT, time: '', text: '', gap: false, kind, evidenceId: Number(key) });
    s = reduce(s, { type: 'evidence', reset: false, rows: [row('1', 'snapshot'), row('2', 'log'), row('3', 'snapshot')] });
    assert.deepEqual(snapshotRows(s).map((r) => r.key), ['3', '1']);
    const detail = snapshotDetail(snapshot(3, 'p-s'), 'src/validate.js:13');
    assert.equal(reduce(s, { type: 'snapshot', snapshot: detail }).snapshot?.evidenceId, 3);
    assert.ok(log(1, 'p', 'x'));
  });
});
