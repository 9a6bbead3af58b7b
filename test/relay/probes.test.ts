import assert from 'node:assert/strict';
import { Harness, logProbe } from './helpers';

describe('relay probes', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(() => h.close());

  it('pushes probe.add to matching agents only (service, labels, instance list)', async () => {
    const match = await h.agent({ service: 'checkout', labels: { region: 'eu', tier: 'web' } });
    const otherService = await h.agent({ service: 'billing', labels: { region: 'eu' } });
    const otherLabel = await h.agent({ service: 'checkout', labels: { region: 'us' } });
    const client = await h.client();

    const view = await client.call('probe.add', { probe: logProbe('checkout', { selector: { service: 'checkout', labels: { region: 'eu' } } }) });
    assert.match(view.probe.id, /^p-[0-9a-z]{8,}$/);
    assert.equal(view.probe.createdBy, 'admin');
    assert.equal(Date.parse(view.probe.expiresAt) - Date.parse(view.probe.createdAt), 3600 * 1000);
    assert.deepEqual(view.statuses, []);
    assert.equal((await match.peer.nextOfType('probe.add')).probe.id, view.probe.id);

    // a probe every agent matches is the barrier: messages on one socket arrive in order, so once the
    // non-matching agents see this one they would already have seen the first, had it been sent to them
    const billingProbe = await client.call('probe.add', { probe: logProbe('billing') });
    const usProbe = await client.call('probe.add', { probe: logProbe('checkout', { selector: { service: 'checkout', labels: { region: 'us' } } }) });
    assert.equal((await otherService.peer.nextOfType('probe.add')).probe.id, billingProbe.probe.id);
    assert.equal((await otherLabel.peer.nextOfType('probe.add')).probe.id, usProbe.probe.id);
    assert.ok(!otherService.peer.received.some((m) => m.type === 'probe.add'));
    assert.ok(!otherLabel.peer.received.some((m) => m.type === 'probe.add'));

    const listed = await h.agent({ service: 'checkout', instanceId: 'chosen' });
    const unlisted = await h.agent({ service: 'checkout', instanceId: 'not-chosen' });
    const targeted = await client.call('probe.add', { probe: logProbe('checkout', { selector: { service: 'checkout', instances: ['chosen'] } }) });
    const everyone = await client.call('probe.add', { probe: logProbe('checkout') });
    assert.equal((await listed.peer.nextOfType('probe.add')).probe.id, targeted.probe.id);
    assert.equal((await unlisted.peer.nextOfType('probe.add')).probe.id, everyone.probe.id);
  });

  it('sends a later agent its matching probes in probe.sync', async () => {
    await h.agent({ service: 'checkout' });
    const client = await h.client();
    const wanted = await client.call('probe.add', { probe: logProbe('checkout', { selector: { service: 'checkout', labels: { canary: 'yes' } } }) });
    await client.call('probe.add', { probe: logProbe('billing', {}), allowPending: true });
    const removed = await client.call('probe.add', { probe: logProbe('checkout') });
    await client.call('probe.remove', { probeId: removed.probe.id });

    const late = await h.agent({ service: 'checkout', labels: { canary: 'yes' } });
    assert.deepEqual(
      late.sync.map((p) => p.id),
      [wanted.probe.id],
    );
    const notCanary = await h.agent({ service: 'checkout', labels: { canary: 'no' } });
    assert.deepEqual(notCanary.sync, []);
  });

  it('probe.remove reaches the agent; removing again says removed:false; unknown ids are not_found', async () => {
    const agent = await h.agent();
    const client = await h.client();
    const { probe } = await client.call('probe.add', { probe: logProbe() });
    await agent.peer.nextOfType('probe.add');
    assert.deepEqual(await client.call('probe.remove', { probeId: probe.id }), { probeId: probe.id, removed: true });
    assert.equal((await agent.peer.nextOfType('probe.remove')).probeId, probe.id);
    assert.deepEqual(await client.call('probe.remove', { probeId: probe.id }), { probeId: probe.id, removed: false });
    const unknown = await client.request('probe.remove', { probeId: 'p-doesnotexist' });
    assert.equal(!unknown.ok && unknown.error.code, 'not_found');
    assert.deepEqual((await client.call('probe.list', {})).probes, []);
  });

  it('refuses a probe for a service never seen, unless allowPending', async () => {
    await h.agent({ service: 'checkout' });
    await h.agent({ service: 'billing' });
    const client = await h.client();
    const refused = await client.request('probe.add', { probe: logProbe('shipping') });
    assert.ok(!refused.ok);
    assert.equal(refused.error.code, 'no_such_service');
    assert.match(refused.error.message, /no such service 'shipping' \(known: billing, checkout\)/);

    const pending = await client.call('probe.add', { probe: logProbe('shipping'), allowPending: true });
    const shipping = await h.agent({ service: 'shipping' });
    assert.deepEqual(
      shipping.sync.map((p) => p.id),
      [pending.probe.id],
    );
  });

  it('knows services whose instances have all disconnected', async () => {
    const gone = await h.agent({ service: 'batch' });
    await gone.peer.close();
    const client = await h.client();
    await client.call('probe.add', { probe: logProbe('batch') });
    const { services } = await client.call('services.list', {});
    const batch = services.find((s) => s.service === 'batch');
    assert.equal(batch?.instances.length, 1);
  });

  it('validates ttl: at most 7 days', async () => {
    await h.agent();
    const client = await h.client();
    // the protocol itself caps it, so the request never reaches the handler
    const tooLong = await client.request('probe.add', { probe: logProbe('checkout', { ttlSeconds: 8 * 24 * 3600 }) });
    assert.equal(!tooLong.ok && tooLong.error.code, 'bad_message');
    assert.match(!tooLong.ok ? tooLong.error.message : '', /ttlSeconds/);
    const week = await client.call('probe.add', { probe: logProbe('checkout', { ttlSeconds: 7 * 24 * 3600 }) });
    assert.equal(Date.parse(week.probe.expiresAt) - Date.parse(week.probe.createdAt), 7 * 24 * 3600 * 1000);
  });

  it('removes a probe when it expires and tells its agents', async () => {
    const agent = await h.agent();
    const client = await h.client();
    const { probe } = await client.call('probe.add', { probe: logProbe('checkout', { ttlSeconds: 1 }) });
    assert.equal((await agent.peer.nextOfType('probe.remove')).probeId, probe.id);
    assert.deepEqual((await client.call('probe.list', {})).probes, []);
  });

  it('stores agent statuses under the sending instance and broadcasts them to clients', async () => {
    const agent = await h.agent({ instanceId: 'i-real' });
    const client = await h.client();
    const { probe } = await client.call('probe.add', { probe: logProbe() });
    const at = new Date().toISOString();
    agent.peer.send({
      type: 'probe.status',
      statuses: [
        { probeId: probe.id, instanceId: 'i-spoofed', state: 'bound', at, hits: 0, tier: 'breakpoint' },
        { probeId: 'p-unknown', instanceId: 'i-real', state: 'bound', at },
      ],
    });
    const event = await client.nextOfType('probe.status');
    assert.equal(event.probeId, probe.id);
    assert.deepEqual(
      event.statuses.map((s: { instanceId: string; state: string }) => [s.instanceId, s.state]),
      [['i-real', 'bound']],
    );
    const { probes } = await client.call('probe.list', { service: 'checkout' });
    assert.equal(probes.length, 1);
    assert.equal(probes[0].statuses[0].instanceId, 'i-real');
    assert.deepEqual((await client.call('probe.list', { service: 'billing' })).probes, []);
  });
});
