import assert from 'node:assert/strict';
import http from 'node:http';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../backend/protocol';
import { CloseCode } from '../../backend/relay';
import { Harness, makeInstance } from './helpers';

describe('relay handshake', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(() => h.close());

  it('welcomes a client with a valid admin token', async () => {
    const peer = await h.open('/client');
    peer.send({ type: 'client.hello', protocol: PROTOCOL_VERSION, token: h.adminToken, client: { name: 'cli', version: '1' } });
    const welcome = await peer.nextOfType('welcome');
    assert.equal(welcome.protocol, PROTOCOL_VERSION);
    assert.deepEqual(welcome.identity, { name: 'admin', role: 'admin', tokenId: 'tok-1' });
    assert.equal(typeof welcome.relayVersion, 'string');
  });

  it('refuses a client with an unknown token: unauthorized, close 4401, token not echoed', async () => {
    const peer = await h.open('/client');
    const wrong = 'rt_admin_definitely-not-the-token';
    peer.send({ type: 'client.hello', protocol: PROTOCOL_VERSION, token: wrong, client: { name: 'cli', version: '1' } });
    const error = await peer.nextOfType('error');
    assert.equal(error.error.code, 'unauthorized');
    assert.ok(!JSON.stringify(error).includes(wrong));
    assert.equal((await peer.closed).code, CloseCode.unauthorized);
    assert.ok(!h.logs.some((l) => l.includes(wrong)), 'presented token must not be logged');
  });

  it('refuses an agent with a bad key: unauthorized, close 4401', async () => {
    const peer = await h.open('/agent');
    peer.send({ type: 'agent.hello', protocol: PROTOCOL_VERSION, agentKey: 'rt_agent_wrong-key-123', instance: makeInstance() });
    assert.equal((await peer.nextOfType('error')).error.code, 'unauthorized');
    assert.equal((await peer.closed).code, CloseCode.unauthorized);
  });

  it('an agent key is not a client token, and the other way round', async () => {
    const client = await h.open('/client');
    client.send({ type: 'client.hello', protocol: PROTOCOL_VERSION, token: h.agentKey, client: { name: 'cli', version: '1' } });
    assert.equal((await client.nextOfType('error')).error.code, 'unauthorized');
    const agent = await h.open('/agent');
    agent.send({ type: 'agent.hello', protocol: PROTOCOL_VERSION, agentKey: h.adminToken, instance: makeInstance() });
    assert.equal((await agent.nextOfType('error')).error.code, 'unauthorized');
  });

  for (const [path, hello] of [
    ['/client', (h: Harness) => ({ type: 'client.hello', protocol: PROTOCOL_VERSION + 1, token: h.adminToken, client: { name: 'cli', version: '1' } })],
    ['/agent', (h: Harness) => ({ type: 'agent.hello', protocol: PROTOCOL_VERSION + 1, agentKey: h.agentKey, instance: { shape: 'from the future' } })],
  ] as const) {
    it(`refuses another protocol version on ${path}: unsupported_protocol, close 4426`, async () => {
      const peer = await h.open(path);
      peer.send(hello(h));
      const error = await peer.nextOfType('error');
      assert.equal(error.error.code, 'unsupported_protocol');
      assert.match(error.error.message, new RegExp(`speaks protocol ${PROTOCOL_VERSION}`));
      assert.equal((await peer.closed).code, CloseCode.unsupportedProtocol);
    });
  }

  it('closes a peer that sends no hello within the handshake timeout', async () => {
    const peer = await h.open('/agent');
    const error = await peer.nextOfType('error');
    assert.equal(error.error.code, 'handshake_required');
    assert.equal((await peer.closed).code, CloseCode.handshakeTimeout);
  });

  it('closes a peer whose first message is a request, not a hello', async () => {
    const peer = await h.open('/client');
    peer.send({ type: 'request', id: 'r1', method: 'services.list', params: {} });
    assert.equal((await peer.nextOfType('error')).error.code, 'handshake_required');
    assert.equal((await peer.closed).code, CloseCode.handshake);
  });

  it('answers an invalid hello with bad_message and still accepts a valid one', async () => {
    const peer = await h.open('/client');
    peer.send({ type: 'client.hello', protocol: PROTOCOL_VERSION, token: h.adminToken });
    peer.sendRaw('not json');
    const first = await peer.nextOfType('error');
    assert.equal(first.error.code, 'bad_message');
    assert.match(first.error.message, /client/);
    assert.equal((await peer.nextOfType('error')).error.code, 'bad_message');
    peer.send({ type: 'client.hello', protocol: PROTOCOL_VERSION, token: h.adminToken, client: { name: 'cli', version: '1' } });
    assert.equal((await peer.nextOfType('welcome')).identity.role, 'admin');
  });

  it('refuses upgrades on unknown paths with 404', async () => {
    const ws = new WebSocket(`${h.relay.url}/nope`);
    const status = await new Promise<number | undefined>((resolve) => {
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode);
        res.resume();
        ws.terminate();
      });
      ws.once('error', () => resolve(undefined));
    });
    assert.equal(status, 404);
  });

  it('serves /healthz with connected agent and client counts', async () => {
    await h.agent();
    await h.client();
    const body = await getJson(`${h.relay.url.replace('ws:', 'http:')}/healthz`);
    assert.deepEqual(body, { status: 200, json: { ok: true, agents: 1, clients: 1 } });
    assert.equal((await getJson(`${h.relay.url.replace('ws:', 'http:')}/other`)).status, 404);
  });

  it('replaces an older connection of the same instance with the newer one', async () => {
    const instanceId = 'i-twice';
    const first = await h.agent({ instanceId });
    const second = await h.agent({ instanceId });
    assert.equal((await first.peer.closed).code, CloseCode.replaced);
    const client = await h.client();
    const { services } = await client.call('services.list', {});
    const instance = services.flatMap((s) => s.instances).find((i) => i.instanceId === instanceId);
    assert.equal(instance?.connected, true, 'the replaced connection closing must not mark the instance disconnected');
    await second.peer.close();
  });
});

function getJson(url: string): Promise<{ status: number | undefined; json: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(text) }));
      })
      .on('error', reject);
  });
}
