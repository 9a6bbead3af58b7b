import assert from 'node:assert/strict';
import type { ProbeStatus } from '../../backend/protocol/probe';
import type { ArmedProbe } from '../../agent/channel';
import type { ProbeEngine, StatusCallback } from '../../agent/engine/types';
import type { PreparedProbe } from '../../agent/probe/prepare';
import { ProbeManager } from '../../agent/probeManager';
import { logProbe } from './helpers/probes';

/** An engine that binds everything at once and records what it was asked to do. */
class RecordingEngine implements ProbeEngine {
  readonly calls: string[] = [];
  onStatus: StatusCallback = () => undefined;
  async add(probe: PreparedProbe): Promise<void> {
    this.calls.push(`add ${probe.spec.id}`);
    this.onStatus({ probeId: probe.spec.id, state: 'bound', location: { url: 'file:///a.js', line: probe.spec.line }, tier: 'breakpoint' });
  }
  async remove(probeId: string): Promise<void> {
    this.calls.push(`remove ${probeId}`);
  }
  async dispose(): Promise<void> {
    this.calls.push('dispose');
  }
}

const managers: ProbeManager[] = [];

function setup() {
  const engine = new RecordingEngine();
  const statuses: ProbeStatus[] = [];
  const armed = new Map<string, ArmedProbe>();
  const manager = new ProbeManager({
    engine,
    instanceId: 'i-1',
    arm: (p) => void armed.set(p.probeId, p),
    disarm: (id) => armed.delete(id),
    sendStatuses: (s) => statuses.push(...s),
    log: () => undefined,
  });
  engine.onStatus = (s) => manager.onEngineStatus(s);
  managers.push(manager);
  const states = (id: string) => statuses.filter((s) => s.probeId === id).map((s) => s.state);
  return { engine, statuses, armed, manager, states };
}

describe('agent: probe manager', () => {
  afterEach(async () => {
    for (const m of managers.splice(0)) await m.dispose(); // clears expiry timers
  });

  it('reconciles a sync: adds new, removes missing, keeps unchanged, replaces changed', async () => {
    const { engine, manager, states } = setup();
    const keep = logProbe({ file: 'a.js', line: 1, template: 'k' });
    const drop = logProbe({ file: 'a.js', line: 2, template: 'd' });
    const change = logProbe({ file: 'a.js', line: 3, template: 'c' });
    await manager.sync([keep, drop, change]);
    engine.calls.length = 0;
    const added = logProbe({ file: 'a.js', line: 4, template: 'n' });
    await manager.sync([keep, { ...change, template: 'c2' }, added]);
    assert.deepEqual(engine.calls, [`remove ${drop.id}`, `remove ${change.id}`, `add ${change.id}`, `add ${added.id}`]);
    assert.deepEqual(states(drop.id).at(-1), 'removed');
    assert.deepEqual(states(keep.id).at(-1), 'bound', 'kept probes are re-reported after a sync');
  });

  it('rejects a probe with a write in it, without reaching the engine', async () => {
    const { engine, manager, statuses } = setup();
    const bad = logProbe({ file: 'a.js', line: 1, template: 'x={a.push(1)}' });
    await manager.add(bad);
    assert.deepEqual(engine.calls, []);
    assert.equal(statuses.at(-1)?.state, 'error');
    assert.match(statuses.at(-1)?.reason ?? '', /^expression "a\.push\(1\)" is not read-only: calls are not allowed except to pure built-ins \(.*\); \.push\(\) is not one of them$/);
  });

  it('expires a probe after maxHits (state expired, reason "max hits reached") and drops later hits', async () => {
    const { engine, manager, statuses, armed } = setup();
    const p = logProbe({ file: 'a.js', line: 1, template: 'v', maxHits: 2 });
    await manager.add(p);
    assert.equal(armed.get(p.id)?.maxHits, 2);
    const evidence = [1, 2, 3].map(() => manager.acceptHit(p.id, Date.now(), 'v')).filter((e) => e !== undefined);
    assert.equal(evidence.length, 2);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(engine.calls, [`add ${p.id}`, `remove ${p.id}`]);
    assert.equal(armed.has(p.id), false);
    assert.deepEqual({ state: statuses.at(-1)?.state, reason: statuses.at(-1)?.reason, hits: statuses.at(-1)?.hits }, { state: 'expired', reason: 'max hits reached (2)', hits: 2 });
  });

  it('expires a probe at expiresAt, and one already past it at once', async () => {
    const { manager, states } = setup();
    const soon = logProbe({ file: 'a.js', line: 1, template: 'v', expiresAt: new Date(Date.now() + 50).toISOString() });
    const past = logProbe({ file: 'a.js', line: 1, template: 'v', expiresAt: new Date(Date.now() - 1000).toISOString() });
    await manager.add(soon);
    await manager.add(past);
    assert.deepEqual(states(past.id), ['expired']);
    await new Promise((r) => setTimeout(r, 120));
    assert.deepEqual(states(soon.id), ['bound', 'expired']);
  });

  it('reports changed hit counts, and statuses carry instance and time', async () => {
    const { manager, statuses } = setup();
    const p = logProbe({ file: 'a.js', line: 1, template: 'v' });
    await manager.add(p);
    manager.acceptHit(p.id, Date.now(), 'v');
    statuses.length = 0;
    manager.reportHitCounts();
    manager.reportHitCounts();
    assert.equal(statuses.length, 1);
    assert.equal(statuses[0]!.hits, 1);
    assert.equal(statuses[0]!.instanceId, 'i-1');
    assert.ok(!Number.isNaN(Date.parse(statuses[0]!.at)));
  });
});
