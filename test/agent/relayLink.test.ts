import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { PROTOCOL_VERSION, type AgentToRelay } from '../../backend/protocol/messages';
import { Backoff } from '../../agent/backoff';
import { RelayLink, type RelayLinkOptions } from '../../agent/relayLink';
import { waitUntil } from './helpers/wait';

const HELLO: Extract<AgentToRelay, { type: 'agent.hello' }> = {
  type: 'agent.hello',
  protocol: PROTOCOL_VERSION,
  agentKey: 'test-agent-key-0123456789',
  instance: {
    service: 'svc',
    labels: {},
    instanceId: 'i-1',
    host: 'h',
    pid: 1,
    runtime: { name: 'node', version: process.version },
    startedAt: new Date().toISOString(),
    agentVersion: '0.0.0',
    mode: 'in-process',
  },
};

/** A raw relay endpoint whose reaction to each hello the test scripts. */
async function scriptedRelay(onHello: (ws: WebSocket, n: number) => void): Promise<{ url: string; hellos: number; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => server.once('listening', r));
  const state = {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/agent`,
    hellos: 0,
    close: () => {
      for (const c of server.clients) c.terminate();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
  server.on('connection', (ws) => ws.once('message', () => onHello(ws, ++state.hellos)));
  return state;
}

describe('agent: relay link', () => {
  const links: RelayLink[] = [];
  const relays: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const l of links.splice(0)) await l.stop();
    for (const r of relays.splice(0)) await r.close();
  });

  function link(url: string, overrides: Partial<RelayLinkOptions> = {}) {
    const events: string[] = [];
    const l = new RelayLink({
      url,
      hello: HELLO,
      log: (m) => events.push(`log ${m}`),
      onWelcome: () => events.push('welcome'),
      onMessage: (m) => events.push(`message ${m.type}`),
      onRefused: (m) => events.push(`refused ${m}`),
      onFirstFailure: (m) => events.push(`first-failure ${m}`),
      backoff: new Backoff(20, 100),
      ...overrides,
    });
    links.push(l);
    l.start();
    return { l, events };
  }

  const welcome = (ws: WebSocket) => ws.send(JSON.stringify({ type: 'welcome', protocol: PROTOCOL_VERSION, relayVersion: 't' }));

  it('delivers probe messages after the welcome and shrugs off bad frames', async () => {
    const relay = await scriptedRelay((ws) => {
      welcome(ws);
      ws.send('{"type":"probe.sync"}');
      ws.send(JSON.stringify({ type: 'probe.sync', probes: [] }));
    });
    relays.push(relay);
    const { l, events } = link(relay.url);
    await waitUntil(() => events.includes('message probe.sync'), 'probe.sync');
    assert.ok(events.some((e) => e.startsWith("log ignored a bad frame from the relay: invalid 'probe.sync' message")));
    assert.equal(l.ready, true);
  });

  it('stops for good when the relay closes with 4401 or 4426, without an error frame', async () => {
    for (const code of [4401, 4426]) {
      const relay = await scriptedRelay((ws) => ws.close(code, 'no'));
      relays.push(relay);
      const { events } = link(relay.url);
      await waitUntil(() => events.find((e) => e.startsWith('refused')), `refusal on ${code}`);
      await new Promise((r) => setTimeout(r, 150)); // longer than the test backoff: a retry would have happened
      assert.equal(relay.hellos, 1);
    }
  });

  it('reconnects after the relay goes away, and reports only the first failure', async () => {
    const relay = await scriptedRelay((ws, n) => (n === 1 ? ws.close(1001, 'restarting') : welcome(ws)));
    relays.push(relay);
    const { events } = link(relay.url);
    await waitUntil(() => events.includes('welcome'), 'a welcome on the second attempt');
    assert.equal(relay.hellos, 2);
    assert.equal(events.filter((e) => e.startsWith('first-failure')).length, 1);
    assert.match(events.find((e) => e.startsWith('first-failure'))!, /the relay at ws:\/\/127\.0\.0\.1:\d+\/agent closed the connection before welcoming the agent \(1001: restarting\) \(the agent keeps retrying/);
  });
});
