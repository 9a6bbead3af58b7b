import assert from 'node:assert/strict';
import { Harness, logProbe } from '../../relay/helpers';

/** The two protocol additions the extension relies on: probe.extend, and instance connect/disconnect pushes. */
describe('relay: probe.extend', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(() => h.close());

  it('moves a live probe’s expiry to ttlSeconds from now, re-sends it to its agents, tells clients, and audits it', async () => {
    const agent = await h.agent();
    const operator = await h.clientAs('operator');
    const placed = await operator.call('probe.add', { probe: logProbe('checkout', { ttlSeconds: 60 }) });
    await agent.peer.nextOfType('probe.add');
    const extended = await operator.call('probe.extend', { probeId: placed.probe.id, ttlSeconds: 7200 });
    assert.equal(extended.state, 'live');
    const gained = Date.parse(extended.probe.expiresAt) - Date.parse(placed.probe.expiresAt);
    assert.ok(gained > 7000 * 1000 && gained <= 7200 * 1000, `expiry moved by ${gained} ms`);
    const resent = await agent.peer.nextOfType('probe.add');
    assert.deepEqual([resent.probe.id, resent.probe.expiresAt], [placed.probe.id, extended.probe.expiresAt]);
    const event = await operator.next((m) => m.type === 'probe.state' && m.view.probe.expiresAt === extended.probe.expiresAt, 'the probe.state event');
    assert.equal(event.view.state, 'live');
    const { probes } = await operator.call('probe.list', {});
    assert.equal(probes.find((p) => p.probe.id === placed.probe.id)?.probe.expiresAt, extended.probe.expiresAt);

    const admin = await h.client();
    const { entries } = await admin.call('audit.query', { newest: true, limit: 20 });
    const audit = entries.find((e) => e.action === 'probe.extended');
    assert.ok(audit, 'the change is in the audit log');
    assert.equal(audit.target, placed.probe.id);
    assert.deepEqual(audit.details, { from: placed.probe.expiresAt, to: extended.probe.expiresAt });
  });

  it('refuses a TTL over the policy maximum, a viewer, an AI token, proposals and unknown probes', async () => {
    await h.agent();
    const admin = await h.client();
    await admin.call('policy.set', { policy: { maxTtlSeconds: 3600 } });
    const placed = await admin.call('probe.add', { probe: logProbe('checkout', { ttlSeconds: 60 }) });
    const over = await admin.request('probe.extend', { probeId: placed.probe.id, ttlSeconds: 3601 });
    assert.equal(!over.ok && over.error.code, 'policy_violation');
    assert.match(!over.ok ? over.error.message : '', /3600/);

    const viewer = await h.clientAs('viewer');
    const denied = await viewer.request('probe.extend', { probeId: placed.probe.id, ttlSeconds: 600 });
    assert.equal(!denied.ok && denied.error.code, 'forbidden');
    const ai = await h.clientAs('operator', { ai: true });
    const aiDenied = await ai.request('probe.extend', { probeId: placed.probe.id, ttlSeconds: 600 });
    assert.equal(!aiDenied.ok && aiDenied.error.code, 'forbidden');

    const proposal = await ai.call('probe.add', { probe: logProbe() });
    const notLive = await admin.request('probe.extend', { probeId: proposal.probe.id, ttlSeconds: 600 });
    assert.equal(!notLive.ok && notLive.error.code, 'conflict');
    const unknown = await admin.request('probe.extend', { probeId: 'p-nope', ttlSeconds: 600 });
    assert.equal(!unknown.ok && unknown.error.code, 'not_found');

    const { probes } = await admin.call('probe.list', {});
    assert.equal(probes.find((p) => p.probe.id === placed.probe.id)?.probe.expiresAt, placed.probe.expiresAt, 'refusals change nothing');
  });
});

describe('relay: instance events', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(() => h.close());

  it('pushes an instance event to clients when an agent connects and when it leaves', async () => {
    const watcher = await h.clientAs('viewer');
    const agent = await h.agent({ service: 'checkout', labels: { team: 'pay' } });
    const joined = await watcher.nextOfType('instance');
    assert.equal(joined.service, 'checkout');
    assert.equal(joined.instance.instanceId, agent.instance.instanceId);
    assert.equal(joined.instance.connected, true);
    assert.deepEqual(joined.instance.labels, { team: 'pay' });

    await agent.peer.close();
    const left = await watcher.nextOfType('instance');
    assert.equal(left.instance.instanceId, agent.instance.instanceId);
    assert.equal(left.instance.connected, false);
  });

  it('sends each client only the instances its scope covers', async () => {
    const checkoutOnly = await h.clientAs('viewer', { scope: { services: ['checkout'] } });
    const payOnly = await h.clientAs('viewer', { scope: { labels: { team: 'pay' } } });
    await h.agent({ service: 'billing', labels: { team: 'pay' } });
    await h.agent({ service: 'checkout', labels: { team: 'growth' } });
    const a = await checkoutOnly.nextOfType('instance');
    const b = await payOnly.nextOfType('instance');
    assert.deepEqual([a.service, b.service], ['checkout', 'billing']);
    // a barrier: a third agent both may see; nothing else arrived before it
    await h.agent({ service: 'checkout', labels: { team: 'pay' } });
    assert.equal((await checkoutOnly.nextOfType('instance')).instance.labels.team, 'pay');
    assert.equal((await payOnly.nextOfType('instance')).service, 'checkout');
    assert.ok(!checkoutOnly.received.some((m) => m.type === 'instance'));
    assert.ok(!payOnly.received.some((m) => m.type === 'instance'));
  });
});
