import assert from 'node:assert/strict';
import { ErrorMsg, MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../backend/protocol';
import { Harness, logItem, logProbe } from './helpers';

const oversized = JSON.stringify({ type: 'request', id: 'big', method: 'services.list', params: {}, pad: 'x'.repeat(MAX_FRAME_BYTES) });

describe('relay with malformed frames', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(() => h.close());

  it('answers each bad client frame with a typed error (echoing the request id) and keeps serving', async () => {
    const client = await h.client();
    const cases: { frame: string | Buffer; binary?: boolean; code: string; ref?: string }[] = [
      { frame: 'not json at all', code: 'bad_message' },
      { frame: '[1,2,3]', code: 'bad_message' },
      { frame: 'null', code: 'bad_message' },
      { frame: JSON.stringify({ type: 'request', id: 'r-unknown', method: 'probe.teleport', params: {} }), code: 'bad_message', ref: 'r-unknown' },
      { frame: JSON.stringify({ type: 'request', id: 'r-types', method: 'evidence.query', params: { limit: 'lots' } }), code: 'bad_message', ref: 'r-types' },
      { frame: JSON.stringify({ type: 'request', id: 'r-missing', method: 'probe.add', params: {} }), code: 'bad_message', ref: 'r-missing' },
      { frame: JSON.stringify({ type: 'request', id: 'r-probe', method: 'probe.add', params: { probe: { kind: 'log', selector: { service: '!!' }, file: '', line: 0 } } }), code: 'bad_message', ref: 'r-probe' },
      { frame: JSON.stringify({ type: 'teleport' }), code: 'bad_message' },
      { frame: JSON.stringify({ type: 'client.hello', protocol: PROTOCOL_VERSION, token: h.adminToken, client: { name: 'again', version: '1' } }), code: 'bad_message' },
      { frame: Buffer.from([0, 1, 2, 3]), binary: true, code: 'bad_message' },
      { frame: oversized, code: 'too_large', ref: 'big' },
    ];
    for (const c of cases) {
      client.sendRaw(c.frame, c.binary);
      const error = await client.nextOfType('error');
      ErrorMsg.parse(error);
      assert.equal(error.error.code, c.code, `${String(c.frame).slice(0, 80)} -> ${JSON.stringify(error)}`);
      assert.equal(error.ref, c.ref, `ref for ${String(c.frame).slice(0, 80)}`);
      assert.ok(error.error.message.length > 0);
    }
    assert.ok(!JSON.stringify(client.received).includes(h.adminToken));
    // still fully usable
    assert.deepEqual(await client.call('services.list', {}), { services: [] });
  });

  it('answers each bad agent frame with a typed error and keeps the agent connected', async () => {
    const agent = await h.agent();
    const client = await h.client();
    const { probe } = await client.call('probe.add', { probe: logProbe() });
    const { subscription } = await client.call('evidence.subscribe', {});
    const frames: string[] = [
      '{"type":',
      JSON.stringify({ type: 'evidence', items: [] }),
      JSON.stringify({ type: 'evidence', items: [{ kind: 'log', probeId: probe.id, at: 'yesterday', message: 'x' }] }),
      JSON.stringify({ type: 'evidence', items: [{ kind: 'snapshot', probeId: probe.id }] }),
      JSON.stringify({ type: 'probe.status', statuses: [{ probeId: probe.id, state: 'dancing' }] }),
      JSON.stringify({ type: 'probe.add', probe: {} }),
      JSON.stringify({ nothing: true }),
      oversized,
    ];
    for (const frame of frames) {
      agent.peer.sendRaw(frame);
      const error = await agent.peer.nextOfType('error');
      ErrorMsg.parse(error);
      assert.match(error.error.code, /^(bad_message|too_large)$/, frame.slice(0, 80));
    }
    agent.peer.sendRaw(Buffer.from('binary'), true);
    assert.equal((await agent.peer.nextOfType('error')).error.code, 'bad_message');

    agent.peer.send({ type: 'evidence', items: [logItem(probe.id, 'still here')] });
    const event = await client.next((m) => m.type === 'evidence' && m.subscription === subscription);
    assert.equal(event.items[0].message, 'still here');
    assert.equal(h.relay.stats().evidenceStored, 1, 'nothing from a bad frame was stored');
  });

  it('answers request errors as responses and a frame beyond the hard limit closes only that socket', async () => {
    const client = await h.client();
    const forbiddenLike = await client.request('probe.remove', { probeId: 'p-none' });
    assert.equal(!forbiddenLike.ok && forbiddenLike.error.code, 'not_found');

    const other = await h.client();
    other.sendRaw('x'.repeat(3 * MAX_FRAME_BYTES));
    assert.equal((await other.closed).code, 1009);
    assert.deepEqual(await client.call('services.list', {}), { services: [] });
  });
});
