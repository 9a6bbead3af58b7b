import assert from 'node:assert/strict';
import { PROTOCOL_VERSION } from '../../backend/protocol';
import { Harness, logItem, logProbe, makeInstance, until, type TestPeer } from './helpers';

/** The relay side of acknowledged agent evidence: ack after storing, store a re-sent batch once, across restarts. */
describe('relay: acknowledged agent evidence', () => {
  let h: Harness;
  afterEach(() => h.close());

  const instance = makeInstance({ instanceId: 'i-acks' });
  async function connect(stream: string | undefined): Promise<{ peer: TestPeer; welcome: { evidenceAcks?: boolean } }> {
    const peer = await h.open('/agent');
    peer.send({ type: 'agent.hello', protocol: PROTOCOL_VERSION, agentKey: h.agentKey, instance, ...(stream ? { evidenceStream: stream } : {}) });
    const welcome = await peer.nextOfType('welcome');
    await peer.nextOfType('probe.sync');
    return { peer, welcome };
  }
  /** Acks are cumulative (one may cover several batches): waits until one covers `seq`; none may go past it. */
  const ackedThrough = async (peer: TestPeer, seq: number) => {
    for (let last = 0; last < seq; ) {
      const ack = await peer.nextOfType('evidence.ack');
      assert.ok(ack.seq > last && ack.seq <= seq, `ack ${ack.seq} after ${last}, waiting for ${seq}`);
      last = ack.seq;
    }
  };
  const stored = async (probeId: string) => {
    const admin = await h.client();
    const { items } = await admin.call('evidence.query', { probeId, afterId: 0 });
    await admin.close();
    h.peers.delete(admin);
    return items.map((i) => (i.kind === 'log' ? i.message : i.kind === 'gap' ? `gap ${i.count}` : i.kind));
  };
  const metric = async (series: string) => {
    const text = await (await fetch(`${h.relay.url.replace('ws:', 'http:')}/metrics`, { headers: { authorization: `Bearer ${h.adminToken}` } })).text();
    return Number(new RegExp(`^${series} (\\d+)$`, 'm').exec(text)?.[1]);
  };

  it('acks each numbered batch once stored; a batch re-sent on a new connection or after a restart is acked again, stored once', async () => {
    h = await Harness.start();
    const port = h.relay.port;
    const admin = await h.client();
    const { probe } = await admin.call('probe.add', { probe: logProbe(), allowPending: true });
    let { peer, welcome } = await connect('stream-a');
    assert.equal(welcome.evidenceAcks, true);
    peer.send({ type: 'evidence', seq: 1, items: [logItem(probe.id, 'one')] });
    peer.send({ type: 'evidence', seq: 2, items: [logItem(probe.id, 'two'), logItem(probe.id, 'three')], dropped: 4 });
    await ackedThrough(peer, 2);
    assert.deepEqual(await stored(probe.id), ['one', 'gap 4', 'two', 'three'], 'acked means stored');

    // the ack for 2 was "lost": the agent re-sends 2 on its next connection, then goes on with 3
    await peer.close();
    ({ peer } = await connect('stream-a'));
    peer.send({ type: 'evidence', seq: 2, items: [logItem(probe.id, 'two'), logItem(probe.id, 'three')], dropped: 4 });
    peer.send({ type: 'evidence', seq: 3, items: [logItem(probe.id, 'four')] });
    await ackedThrough(peer, 3);
    assert.deepEqual(await stored(probe.id), ['one', 'gap 4', 'two', 'three', 'four']);
    assert.equal(await metric('runtruth_evidence_duplicates_total'), 2);

    await h.restart({ port });
    ({ peer } = await connect('stream-a'));
    peer.send({ type: 'evidence', seq: 3, items: [logItem(probe.id, 'four')] });
    await ackedThrough(peer, 3);
    assert.deepEqual(await stored(probe.id), ['one', 'gap 4', 'two', 'three', 'four'], 'the stream position survived the restart');

    const viewer = await h.client();
    const { services } = await viewer.call('services.list', {});
    assert.equal(services[0]!.instances[0]!.evidenceDropped, 4, 'the drop is reported once, on the instance, across the restart');

    // a new process with the same instance id starts a new stream: its batch 1 is new evidence
    await peer.close();
    ({ peer } = await connect('stream-b'));
    peer.send({ type: 'evidence', seq: 1, items: [logItem(probe.id, 'five')] });
    await ackedThrough(peer, 1);
    assert.deepEqual((await stored(probe.id)).slice(-1), ['five']);
  });

  it('agents that do not number their batches are served as before: stored, never acked', async () => {
    h = await Harness.start();
    const admin = await h.client();
    const { probe } = await admin.call('probe.add', { probe: logProbe(), allowPending: true });
    const { peer } = await connect(undefined);
    peer.send({ type: 'evidence', seq: 5, items: [logItem(probe.id, 'x')] }); // a seq without a stream means nothing
    peer.send({ type: 'evidence', items: [logItem(probe.id, 'y')] });
    await until(async () => (await stored(probe.id)).length === 2, 'both stored');
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(!peer.received.some((m) => m.type === 'evidence.ack'));
  });
});
