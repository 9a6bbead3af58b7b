import assert from 'node:assert/strict';
import { EvidenceEvent } from '../../backend/protocol';
import { Harness, logItem, logProbe, type Msg, type TestPeer } from './helpers';

/** Collects a subscription's pushed items until `count` have arrived. */
async function collect(client: TestPeer, subscription: string, count: number): Promise<Msg[]> {
  const items: Msg[] = [];
  while (items.length < count) {
    const event = await client.next((m) => m.type === 'evidence' && m.subscription === subscription, `evidence for ${subscription}`);
    EvidenceEvent.parse(event);
    items.push(...event.items);
  }
  return items;
}

describe('relay evidence', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(() => h.close());

  it('stores agent evidence with relay-filled service/instance and pushes it to a subscriber', async () => {
    const agent = await h.agent({ service: 'checkout', instanceId: 'i-1' });
    const client = await h.client();
    const { probe } = await client.call('probe.add', { probe: logProbe() });
    const { subscription } = await client.call('evidence.subscribe', { probeId: probe.id });

    // the agent claims to be someone else; the relay knows better
    agent.peer.send({ type: 'evidence', items: [{ ...logItem(probe.id, 'amount=1'), service: 'billing', instance: 'i-evil' }, logItem(probe.id, 'amount=2')] });
    const items = await collect(client, subscription, 2);
    assert.deepEqual(
      items.map((i) => [i.kind, i.message, i.service, i.instance]),
      [
        ['log', 'amount=1', 'checkout', 'i-1'],
        ['log', 'amount=2', 'checkout', 'i-1'],
      ],
    );
    assert.ok(items[1].id > items[0].id);

    const stored = await client.call('evidence.query', { service: 'checkout' });
    assert.deepEqual(
      stored.items.map((i) => [i.kind === 'log' && i.message, i.service, i.instance]),
      [
        ['amount=1', 'checkout', 'i-1'],
        ['amount=2', 'checkout', 'i-1'],
      ],
    );
    assert.equal(stored.lastId, items[1].id);
    assert.deepEqual((await client.call('evidence.query', { service: 'billing' })).items, []);
  });

  it('resumes with afterId: replays exactly the missed items, then continues live', async () => {
    const agent = await h.agent();
    const first = await h.client();
    const { probe } = await first.call('probe.add', { probe: logProbe() });
    const sub = await first.call('evidence.subscribe', { probeId: probe.id });
    agent.peer.send({ type: 'evidence', items: [1, 2, 3].map((n) => logItem(probe.id, `n=${n}`)) });
    const seen = await collect(first, sub.subscription, 3);
    await first.close();

    // while nobody listens
    agent.peer.send({ type: 'evidence', items: [4, 5].map((n) => logItem(probe.id, `n=${n}`)) });
    const second = await h.client();
    // the barrier: once a query sees n=5, both batches are stored
    while ((await second.call('evidence.query', { probeId: probe.id })).items.length < 5);
    const resumed = await second.call('evidence.subscribe', { probeId: probe.id, afterId: seen[2].id });
    agent.peer.send({ type: 'evidence', items: [6].map((n) => logItem(probe.id, `n=${n}`)) });
    const items = await collect(second, resumed.subscription, 3);
    assert.deepEqual(
      items.map((i) => i.message),
      ['n=4', 'n=5', 'n=6'],
    );
    assert.ok(items.every((item, i) => i === 0 || item.id > items[i - 1].id));
    assert.ok(resumed.lastId >= items[1].id);
  });

  it('replays a long history in order without loss', async () => {
    const agent = await h.agent();
    const client = await h.client();
    const { probe } = await client.call('probe.add', { probe: logProbe() });
    for (let batch = 0; batch < 3; batch++) {
      agent.peer.send({ type: 'evidence', items: Array.from({ length: 700 }, (_, i) => logItem(probe.id, `m${batch * 700 + i}`)) });
    }
    let stored = 0;
    while (stored < 2100) stored = (await client.call('evidence.query', { probeId: probe.id, limit: 10_000 })).items.length;
    const { subscription } = await client.call('evidence.subscribe', { probeId: probe.id, afterId: 0 });
    const items = await collect(client, subscription, 2100);
    assert.equal(items.length, 2100);
    assert.ok(items.every((item, i) => item.message === `m${i}`));
  });

  it('evidence.query pages by afterId and limit', async () => {
    const agent = await h.agent();
    const client = await h.client();
    const { probe } = await client.call('probe.add', { probe: logProbe() });
    const sub = await client.call('evidence.subscribe', {});
    agent.peer.send({ type: 'evidence', items: [1, 2, 3, 4, 5].map((n) => logItem(probe.id, `n=${n}`)) });
    await collect(client, sub.subscription, 5);
    const page1 = await client.call('evidence.query', { probeId: probe.id, limit: 2 });
    const page2 = await client.call('evidence.query', { probeId: probe.id, limit: 2, afterId: page1.lastId });
    const page3 = await client.call('evidence.query', { probeId: probe.id, limit: 2, afterId: page2.lastId });
    const empty = await client.call('evidence.query', { probeId: probe.id, limit: 2, afterId: page3.lastId });
    assert.deepEqual(
      [page1, page2, page3].map((p) => p.items.map((i) => i.kind === 'log' && i.message)),
      [['n=1', 'n=2'], ['n=3', 'n=4'], ['n=5']],
    );
    assert.deepEqual(empty, { items: [], lastId: page3.lastId });
    const unknown = await client.request('evidence.query', { probeId: 'p-nope', limit: 1 });
    assert.equal(!unknown.ok && unknown.error.code, 'not_found');
  });

  it('stores a gap for agent-dropped events and ignores evidence for probes the agent does not hold', async () => {
    const agent = await h.agent({ service: 'checkout' });
    await h.agent({ service: 'billing' });
    const client = await h.client();
    const { probe } = await client.call('probe.add', { probe: logProbe() });
    const billingProbe = await client.call('probe.add', { probe: logProbe('billing') });
    const removed = await client.call('probe.add', { probe: logProbe() });
    await client.call('probe.remove', { probeId: removed.probe.id });
    const { subscription } = await client.call('evidence.subscribe', { probeId: probe.id });

    agent.peer.send({
      type: 'evidence',
      dropped: 7,
      items: [logItem('p-unknown', 'x'), logItem(removed.probe.id, 'x'), logItem(billingProbe.probe.id, 'x'), logItem(probe.id, 'kept')],
    });
    const items = await collect(client, subscription, 2);
    assert.equal(items[0].kind, 'gap');
    assert.deepEqual([items[0].count, items[0].where, items[0].service], [7, 'agent', 'checkout']);
    assert.equal(items[1].message, 'kept');
    assert.equal(h.relay.stats().evidenceIgnored, 3);
    const all = await client.call('evidence.query', { limit: 100 });
    assert.deepEqual(
      all.items.map((i) => i.kind),
      ['gap', 'log'],
    );
  });

  it('filters subscriptions by service and stops after unsubscribe', async () => {
    const checkout = await h.agent({ service: 'checkout' });
    const billing = await h.agent({ service: 'billing' });
    const client = await h.client();
    const a = await client.call('probe.add', { probe: logProbe('checkout') });
    const b = await client.call('probe.add', { probe: logProbe('billing') });
    const billingOnly = await client.call('evidence.subscribe', { service: 'billing' });
    const everything = await client.call('evidence.subscribe', {});

    checkout.peer.send({ type: 'evidence', items: [logItem(a.probe.id, 'from checkout')] });
    billing.peer.send({ type: 'evidence', items: [logItem(b.probe.id, 'from billing')] });
    const all = await collect(client, everything.subscription, 2);
    assert.deepEqual(all.map((i) => i.message).sort(), ['from billing', 'from checkout']);
    const onlyBilling = await collect(client, billingOnly.subscription, 1);
    assert.deepEqual(
      onlyBilling.map((i) => i.message),
      ['from billing'],
    );

    assert.deepEqual(await client.call('evidence.unsubscribe', { subscription: billingOnly.subscription }), { subscription: billingOnly.subscription });
    billing.peer.send({ type: 'evidence', items: [logItem(b.probe.id, 'after unsubscribe')] });
    assert.equal((await collect(client, everything.subscription, 1))[0].message, 'after unsubscribe');
    assert.ok(!client.received.some((m) => m.type === 'evidence' && m.subscription === billingOnly.subscription));
    const again = await client.request('evidence.unsubscribe', { subscription: billingOnly.subscription });
    assert.equal(!again.ok && again.error.code, 'not_found');
  });
});
