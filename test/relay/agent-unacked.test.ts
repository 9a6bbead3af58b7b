import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { Backoff } from '../../agent/backoff';
import { RelayLink } from '../../agent/relayLink';
import { UnackedBatches } from '../../agent/relayUnacked';
import { PROTOCOL_VERSION, type AgentEvidence } from '../../backend/protocol';
import { makeInstance, until } from './helpers';

const item = (n: number): AgentEvidence => ({ kind: 'log', probeId: 'p-1', at: new Date(0).toISOString(), message: `n=${n}` });
const batch = (from: number, count: number) => ({ type: 'evidence' as const, items: Array.from({ length: count }, (_, i) => item(from + i)) });

describe('agent: evidence held until the relay acks it', () => {
  it('numbers batches, forgets them when acked, and drops the oldest beyond the bound, reporting the count', () => {
    const held = new UnackedBatches({ maxItems: 10, maxBytes: 1_000_000 });
    const frames = [held.add(batch(0, 4)), held.add({ ...batch(4, 4), dropped: 2 })].map((f) => JSON.parse(f.toString('utf8')));
    assert.deepEqual(
      frames.map((f) => [f.seq, f.items.length, f.dropped]),
      [
        [1, 4, undefined],
        [2, 4, 2],
      ],
    );
    held.ack(1);
    assert.equal(held.heldBatches, 1);
    held.add(batch(8, 4));
    held.add(batch(12, 4)); // 12 items held > 10: batch 2 (4 items, carrying 2 drops) goes
    assert.deepEqual(
      held.frames().map((f) => JSON.parse(f.toString('utf8')).seq),
      [3, 4],
    );
    const next = JSON.parse(held.add(batch(16, 1)).toString('utf8'));
    assert.equal(next.dropped, 6, 'the 4 items of the dropped batch and the 2 drops it carried');
    held.ack(5);
    assert.equal(held.heldBatches, 0);
    assert.equal(held.heldBytes, 0);
  });

  it('the link re-sends unacked batches with their numbers first after a reconnect, and stops holding for relays that do not ack', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => server.once('listening', r));
    const received: { connection: number; seq?: number; stream?: string }[] = [];
    let connections = 0;
    let acks = true;
    server.on('connection', (ws: WebSocket) => {
      const connection = ++connections;
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data));
        if (msg.type === 'agent.hello') {
          received.push({ connection, stream: msg.evidenceStream });
          ws.send(JSON.stringify({ type: 'welcome', protocol: PROTOCOL_VERSION, relayVersion: 't', ...(acks ? { evidenceAcks: true } : {}) }));
        } else if (msg.type === 'evidence') {
          received.push({ connection, seq: msg.seq });
          if (connection === 1 && msg.seq === 1) ws.send(JSON.stringify({ type: 'evidence.ack', seq: 1 }));
        }
      });
    });
    const link = new RelayLink({
      url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/agent`,
      hello: { type: 'agent.hello', protocol: PROTOCOL_VERSION, agentKey: 'test-agent-key-0123456789', instance: makeInstance() },
      log: () => undefined,
      onWelcome: () => undefined,
      onMessage: () => undefined,
      onRefused: () => undefined,
      onFirstFailure: () => undefined,
      backoff: new Backoff(20, 50),
    });
    try {
      link.start();
      await until(() => link.ready, 'welcomed');
      for (let i = 0; i < 3; i++) link.sendEvidence(batch(i, 1));
      await until(() => received.filter((r) => r.seq).length === 3 && link.unackedBatches === 2, 'three sent, one acked');
      assert.ok(link.bufferedAmount > 0, 'unacked evidence counts as backlog, so the sender holds back');
      for (const ws of server.clients) ws.terminate();
      await until(() => received.filter((r) => r.connection === 2 && r.seq).length === 2, 're-sent on the second connection');
      const [first, second] = [received.find((r) => r.connection === 1 && r.stream), received.find((r) => r.connection === 2 && r.stream)];
      assert.ok(first?.stream && first.stream === second?.stream, 'the same stream on both connections');
      assert.deepEqual(
        received.filter((r) => r.connection === 2 && r.seq).map((r) => r.seq),
        [2, 3],
      );

      acks = false; // an older relay: batches are sent once and not held
      for (const ws of server.clients) ws.terminate();
      await until(() => received.some((r) => r.connection === 3 && r.stream) && link.ready, 'third connection');
      assert.equal(link.unackedBatches, 0, 'held batches were re-sent once and let go');
      link.sendEvidence(batch(9, 1));
      assert.equal(link.unackedBatches, 0);
    } finally {
      await link.stop();
      for (const ws of server.clients) ws.terminate();
      await new Promise((r) => server.close(r));
    }
  });
});
