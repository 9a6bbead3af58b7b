import assert from 'node:assert/strict';
import { MAX_PER_PROBE } from '../../../extension/core/evidenceLog';
import { instanceHits, probeDisplay } from '../../../extension/core/probeDisplay';
import { RuntimeState, type StateChange } from '../../../extension/core/runtimeState';
import { instance, log, services, spec, status, view } from './fixtures';

describe('RuntimeState: the extension picture of the runtime', () => {
  it('keeps statuses that arrive before the probe.add reply (agents can be faster than the relay answer)', () => {
    const state = new RuntimeState();
    state.setStatuses('p-1', [status('p-1', 'i-1', 'bound')]);
    state.upsertProbe(view(spec('p-1')));
    assert.equal(state.probe('p-1')!.statuses[0]!.state, 'bound');
  });

  it('keeps a probe that vanished at its expiry as expired, and drops one removed elsewhere', () => {
    let now = Date.parse('2026-11-26T12:00:00Z');
    const state = new RuntimeState(() => now);
    state.setProbes([view(spec('p-exp', { expiresAt: '2026-11-26T12:10:00.000Z' })), view(spec('p-gone'))]);
    now = Date.parse('2026-11-26T12:10:00.500Z');
    state.setProbes([]);
    assert.equal(state.probe('p-exp')!.expired, true);
    assert.equal(state.probe('p-gone'), undefined);
    assert.equal(probeDisplay(state.probe('p-exp')!, []).state, 'expired');
  });

  it('records evidence once even when a resumed stream and a backlog overlap, and counts per instance', () => {
    const state = new RuntimeState();
    const changes: StateChange[] = [];
    state.onDidChange((c) => changes.push(c));
    state.addEvidence([log(1, 'p-1', 'a'), log(2, 'p-1', 'b', 'i-2')]);
    state.addEvidence([log(2, 'p-1', 'b', 'i-2'), log(3, 'p-1', 'c')]);
    assert.deepEqual(state.evidence.forProbe('p-1').map((e) => (e.kind === 'log' ? e.message : '')), ['a', 'b', 'c']);
    assert.equal(state.evidence.lastEvidenceId, 3);
    assert.equal(state.evidence.countOn('p-1', 'i-1'), 2);
    assert.equal(changes.flatMap((c) => c.evidence ?? []).length, 3, 'duplicates are not announced');
    assert.equal(instanceHits(status('p-1', 'i-1', 'bound', { hits: 1 }), state.evidence), 2, 'the larger of reported and received');
  });

  it('keeps the newest evidence per probe bounded', () => {
    const state = new RuntimeState();
    state.addEvidence(Array.from({ length: MAX_PER_PROBE + 5 }, (_, i) => log(i + 1, 'p-1', `m${i}`)));
    assert.equal(state.evidence.forProbe('p-1').length, MAX_PER_PROBE);
    assert.equal(state.evidence.count('p-1'), MAX_PER_PROBE + 5);
  });

  it('notifies services only when they really change (they are polled)', () => {
    const state = new RuntimeState();
    let n = 0;
    state.onDidChange((c) => c.services && n++);
    state.setServices(services(instance('i-1')));
    state.setServices(services(instance('i-1')));
    assert.equal(n, 1);
    assert.equal(state.liveAgents(), 1);
  });
});

describe('probeDisplay: gutter/tree/panel state of a probe', () => {
  const two = services(instance('i-1'), instance('i-2'));
  const tracked = (statuses = [] as ReturnType<typeof status>[], extra = {}) => ({ spec: spec('p-1'), statuses, expired: false, proposed: false, ...extra });

  it('is bound N/M across the connected instances its selector matches', () => {
    assert.deepEqual(
      [probeDisplay(tracked([status('p-1', 'i-1', 'bound'), status('p-1', 'i-2', 'bound')]), two), probeDisplay(tracked([status('p-1', 'i-1', 'bound')]), two)].map((d) => [d.state, d.label]),
      [['bound', 'bound 2/2'], ['partial', 'bound 1/2']],
    );
  });

  it('is an error with the reason when no instance could place it', () => {
    const d = probeDisplay(tracked([status('p-1', 'i-1', 'error', { reason: 'line 99 is past the end of src/validate.js' })]), services(instance('i-1')));
    assert.equal(d.state, 'error');
    assert.match(d.label, /past the end/);
  });

  it('is pending while no instance is connected, and says so', () => {
    assert.match(probeDisplay(tracked(), []).label, /no instance of checkout is connected/);
  });

  it('shows a proposal awaiting approval as proposed', () => {
    assert.equal(probeDisplay(tracked([], { proposed: true }), two).state, 'proposed');
  });

  it('counts hits from the agents or the evidence received, whichever is more', () => {
    assert.equal(probeDisplay(tracked([status('p-1', 'i-1', 'bound', { hits: 7 })]), two, 3).hits, 7);
    assert.equal(probeDisplay(tracked([status('p-1', 'i-1', 'bound', { hits: 1 })]), two, 3).hits, 3);
  });
});
