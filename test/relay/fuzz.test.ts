import assert from 'node:assert/strict';
import { ErrorCode, PROTOCOL_VERSION } from '../../backend/protocol';
import { agentFrame, badHello, clientFrame, prng, type Frame } from './fuzz-frames';
import { Harness, logItem, logProbe, type Msg, type TestPeer } from './helpers';

const SEED = Number(process.env.RUNTRUTH_FUZZ_SEED ?? 0x5eed);

/**
 * Floods a peer with frames and checks each earned exactly one typed error. Frames are handled in order
 * on one socket, so once the sentinel's answer arrives every earlier frame has been answered.
 */
async function blast(peer: TestPeer, frames: Frame[], sentinel: () => Promise<unknown>): Promise<Msg[]> {
  const before = peer.received.length;
  for (const f of frames) peer.sendRaw(f.data, f.binary);
  await sentinel();
  return peer.received.slice(before).filter((m) => m.type === 'error');
}

function checkErrors(errors: Msg[], frames: Frame[]): void {
  assert.equal(errors.length, frames.length, 'one error per frame');
  const codes = new Map<string, number>();
  errors.forEach((e, i) => {
    assert.ok(ErrorCode.safeParse(e.error?.code).success, `frame ${i} (${frames[i]!.kind}) got ${JSON.stringify(e).slice(0, 200)}`);
    assert.notEqual(e.error.code, 'internal', `frame ${i} (${frames[i]!.kind}) caused an internal error`);
    assert.ok(typeof e.error.message === 'string' && e.error.message.length > 0);
    codes.set(e.error.code, (codes.get(e.error.code) ?? 0) + 1);
  });
  assert.deepEqual([...codes.keys()].sort(), ['bad_message', 'too_large'].filter((c) => codes.has(c)));
}

describe('relay protocol fuzz', function () {
  this.timeout(120_000);
  let h: Harness;
  before(async () => {
    h = await Harness.start({ handshakeTimeoutMs: 60_000, requestRate: { perSecond: 1e6, burst: 1e6 } });
  });
  after(() => h.close());

  it(`answers 11,000 malformed and hostile frames (seed ${SEED}) with a typed error each, and keeps serving`, async () => {
    const rand = prng(SEED);
    const agent = await h.agent();
    const client = await h.client();
    const { probe } = await client.call('probe.add', { probe: logProbe() });
    const sub = await client.call('evidence.subscribe', {});

    const clientFrames = Array.from({ length: 6000 }, (_, i) => clientFrame(rand, i));
    checkErrors(
      await blast(client, clientFrames, async () => {
        client.send({ type: 'request', id: 'sentinel', method: 'services.list', params: {} });
        await client.next((m) => m.type === 'response' && m.id === 'sentinel', 'the sentinel', 60_000);
      }),
      clientFrames,
    );

    // the agent has no request/response: its sentinel is evidence reaching the client (all earlier frames were
    // handled), then a probe pushed back down the agent's socket (all their errors were delivered before it)
    const agentFrames = Array.from({ length: 4000 }, (_, i) => agentFrame(rand, i));
    const agentErrors = await blast(agent.peer, agentFrames, async () => {
      agent.peer.send({ type: 'evidence', items: [logItem(probe.id, 'sentinel')] });
      await client.next((m) => m.type === 'evidence' && m.subscription === sub.subscription && m.items.some((i: Msg) => i.message === 'sentinel'), 'the sentinel', 60_000);
      const barrier = await client.call('probe.add', { probe: logProbe() });
      await agent.peer.next((m) => m.type === 'probe.add' && m.probe.id === barrier.probe.id, 'the barrier probe');
      await client.call('probe.remove', { probeId: barrier.probe.id });
    });
    checkErrors(agentErrors, agentFrames);

    for (const endpoint of ['client', 'agent'] as const) {
      const peer = await h.open(`/${endpoint}`);
      const hellos = Array.from({ length: 500 }, () => badHello(rand, endpoint));
      const valid = endpoint === 'client'
        ? { type: 'client.hello', protocol: PROTOCOL_VERSION, token: h.adminToken, client: { name: 'after-fuzz', version: '1' } }
        : { type: 'agent.hello', protocol: PROTOCOL_VERSION, agentKey: h.agentKey, instance: agent.instance };
      const errors = await blast(peer, hellos, async () => {
        peer.send(valid);
        await peer.next((m) => m.type === 'welcome', 'welcome', 60_000);
      });
      checkErrors(errors, hellos);
    }

    assert.equal(h.relay.stats().evidenceStored, 1, 'only the sentinel was stored');
    assert.deepEqual((await client.call('probe.list', {})).probes.map((p) => p.probe.id), [probe.id]);
    assert.ok(!h.logs.some((l) => /internal error|failed:/.test(l)), h.logs.filter((l) => /internal/.test(l)).join('\n'));
  });
});
