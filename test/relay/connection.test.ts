import assert from 'node:assert/strict';
import { z } from 'zod';
import { ErrorMsg } from '../../backend/protocol';
import type { Endpoint, Session } from '../../backend/relay/connection';
import { listen, type RelayServer } from '../../backend/relay/server';
import { Harness, TestPeer, until } from './helpers';

const TestHello = z.object({ type: z.literal('test.hello'), protocol: z.int() });
const TestMsg = z.object({ type: z.enum(['throw', 'reject', 'echo']) });

/** An endpoint whose handlers fail on demand, to prove nothing a handler throws escapes the connection. */
const faulty: Endpoint<z.infer<typeof TestHello>, z.infer<typeof TestMsg>> = {
  helloType: 'test.hello',
  helloSchema: TestHello,
  messageSchema: TestMsg,
  open(_hello, link): Session<z.infer<typeof TestMsg>> {
    link.send({ type: 'welcome' });
    return {
      handle(msg) {
        if (msg.type === 'throw') throw new Error('boom: secret internals');
        if (msg.type === 'reject') return Promise.reject(new Error('async boom'));
        link.send({ type: 'echo' });
      },
      closed: () => undefined,
    };
  },
};

describe('relay connection handling', () => {
  let server: RelayServer;
  const peers = new Set<TestPeer>();
  const logs: string[] = [];
  before(async () => {
    server = await listen({
      host: '127.0.0.1',
      port: 0,
      endpoints: { '/test': faulty },
      handshakeTimeoutMs: 1000,
      heartbeatMs: 60_000,
      hardBufferLimit: 1e9,
      health: () => ({}),
      log: (l) => logs.push(l),
    });
  });
  after(async () => {
    await Promise.all([...peers].map((p) => p.close()));
    await server.close();
  });

  it('answers handler exceptions (sync and async) with an internal error and stays open', async () => {
    const peer = await TestPeer.open(`ws://127.0.0.1:${server.port}/test`, peers);
    peer.send({ type: 'test.hello', protocol: 1 });
    await peer.nextOfType('welcome');
    for (const type of ['throw', 'reject']) {
      peer.send({ type });
      const error = ErrorMsg.parse(await peer.nextOfType('error'));
      assert.equal(error.error.code, 'internal');
      assert.ok(!error.error.message.includes('secret internals'));
    }
    peer.send({ type: 'echo' });
    await peer.nextOfType('echo');
    assert.ok(logs.some((l) => l.includes('boom')), 'the cause is logged for the operator');
  });
});

describe('relay heartbeat', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ heartbeatMs: 30 });
  });
  afterEach(() => h.close());

  it('terminates a peer that stops answering pings and marks its instance disconnected', async () => {
    const silent = await h.agent({ instanceId: 'i-silent' }, { autoPong: false });
    const client = await h.client();
    const closed = await silent.peer.closed;
    assert.equal(closed.code, 1006, 'terminated, not closed politely');
    await until(async () => {
      const { services } = await client.call('services.list', {});
      return services[0]?.instances[0]?.connected === false;
    }, 'the silent instance shows as disconnected');
    // the client answers pings (ws does by default) and is still served after many heartbeats
    assert.deepEqual((await client.call('services.list', {})).services.length, 1);
  });
});
