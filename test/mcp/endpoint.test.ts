import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI } from '../support/proc';
import { RelayClient } from '../../backend/client/relayClient';
import { MAX_FRAME_BYTES } from '../../backend/protocol';
import { postJson } from '../support/http';
import { call, ok, waitFor, World } from './helpers';

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } } };

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

/** The relay's /mcp as an HTTP endpoint: authentication, sessions, and the AI origin of everything it does. */
describe('relay /mcp endpoint', function () {
  this.timeout(60_000);
  const world = new World();
  before(() => world.start());
  after(() => world.dispose());

  it('answers 401 with a Bearer challenge without a token, or with a wrong one, and audits the wrong one', async () => {
    const none = await post(world.httpUrl, INITIALIZE);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer realm="runtruth"/);
    assert.match(none.json.error.message, /Authorization: Bearer/);

    const wrong = await post(world.httpUrl, INITIALIZE, { authorization: 'Bearer not-a-real-token-123' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error.message, 'unknown or revoked token');
    const { entries } = await world.admin.request('audit.query', { newest: true, limit: 50 });
    assert.ok(entries.some((e) => e.action === 'auth.failed' && e.details.endpoint === 'mcp' && e.details.reason === 'unknown'));

    const sdk = new Client({ name: 'x', version: '1' });
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    await assert.rejects(sdk.connect(new StreamableHTTPClientTransport(new URL(world.httpUrl), { requestInit: { headers: { authorization: 'Bearer not-a-real-token-123' } } })));
  });

  it('needs initialize to start a session, and a known session id afterwards', async () => {
    const token = await world.token('raw-http', 'viewer');
    const auth = { authorization: `Bearer ${token}` };
    const notInit = await post(world.httpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, auth);
    assert.equal(notInit.status, 400);
    assert.match(notInit.json.error.message, /must be initialize/);
    const unknown = await post(world.httpUrl, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { ...auth, 'mcp-session-id': 'no-such-session' });
    assert.equal(unknown.status, 404);

    const init = await post(world.httpUrl, INITIALIZE, auth);
    assert.equal(init.status, 200);
    assert.equal(init.json.result.serverInfo.name, 'runtruth');
    assert.match(init.json.result.instructions, /wait for a person to approve/);
    const session = init.headers.get('mcp-session-id')!;
    assert.ok(session);
    // the session is bound to its token: another valid token cannot use it
    const other = await post(world.httpUrl, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { authorization: `Bearer ${await world.token('someone-else', 'admin')}`, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' });
    assert.equal(other.status, 403);
    const del = await fetch(world.httpUrl, { method: 'DELETE', headers: { ...auth, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' } });
    assert.equal(del.status, 200);
    const after = await post(world.httpUrl, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, { ...auth, 'mcp-session-id': session });
    assert.equal(after.status, 404, 'a deleted session is gone');
  });

  it('keeps at most 8 sessions per token: a new one ends the least recently used', async () => {
    const auth = { authorization: `Bearer ${await world.token('restarts-a-lot', 'viewer')}` };
    const sessions: string[] = [];
    for (let i = 0; i < 9; i++) {
      const init = await post(world.httpUrl, INITIALIZE, auth);
      assert.equal(init.status, 200);
      sessions.push(init.headers.get('mcp-session-id')!);
    }
    const list = (session: string) => post(world.httpUrl, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { ...auth, 'mcp-session-id': session, 'mcp-protocol-version': '2025-06-18' });
    assert.equal((await list(sessions[0]!)).status, 404, 'the oldest was ended');
    const newest = await list(sessions[8]!);
    assert.equal(newest.status, 200);
    assert.equal(newest.json.result.tools.length, 8);
  });

  it('acts as AI even on a person\'s token: its removals are audited with origin ai', async () => {
    const client = await world.connect('http', await world.token('bob', 'admin'));
    const { structured } = await ok(client, 'propose_logpoint', { service: 'checkout', file: 'src/validate.js', line: 12, message: 'x' });
    const probeId = structured?.probeId as string;
    assert.equal(structured?.state, 'proposed', 'even an admin token proposes over MCP');
    await ok(client, 'remove_probe', { probeId });
    const { entries } = await world.admin.request('audit.query', { newest: true, limit: 100 });
    const removed = entries.find((e) => e.action === 'probe.removed' && e.target === probeId);
    assert.equal(removed?.actor, 'bob');
    assert.equal(removed?.origin, 'ai');
    assert.equal(entries.find((e) => e.action === 'token.used' && e.actor === 'bob')?.origin, 'ai');
  });

  it('places at once when the policy auto-approves the kind for the service', async () => {
    await world.admin.request('policy.set', { policy: { autoApprove: [{ service: 'checkout', kinds: ['metric'] }] } });
    try {
      const client = await world.connect('http', await world.token('carol', 'operator'));
      const placed = await ok(client, 'propose_metric', { service: 'checkout', file: 'src/validate.js', line: 12, metric: 'count' });
      assert.equal(placed.structured?.state, 'live');
      assert.match(placed.text, /auto-approved by the relay policy/);
      await ok(client, 'remove_probe', { probeId: placed.structured?.probeId });
    } finally {
      await world.admin.request('policy.set', { policy: { autoApprove: [] } });
    }
  });

  it('refuses a body over the frame limit with 413', async () => {
    const big = { ...INITIALIZE, params: { ...INITIALIZE.params, padding: 'x'.repeat(MAX_FRAME_BYTES + 10) } };
    const res = await post(world.httpUrl, big, { authorization: `Bearer ${await world.token('big-body', 'viewer')}` });
    assert.equal(res.status, 413);
    assert.match(res.json.error.message, /at most \d+ bytes/);
  });

  it('keeps get_evidence within limit and maxChars, with a cursor that reads on without gaps or repeats', async () => {
    const client = await world.connect('http', await world.token('erin', 'operator'));
    const { structured } = await ok(client, 'propose_logpoint', { service: 'checkout', file: 'src/validate.js', line: 12, message: `n={amount} ${'x'.repeat(60)}` });
    const probeId = structured?.probeId as string;
    await world.admin.request('probe.approve', { probeId });
    await waitFor(async () => /: bound/.test((await ok(client, 'get_proposal_status', { probeId })).text), 'the probe to bind');
    for (let n = 1; n <= 12; n++) await postJson(world.appPort, '/orders', { amount: n });
    await waitFor(async () => (await world.admin.request('evidence.query', { probeId })).items.length >= 12, 'twelve hits to be stored');

    const seen: number[] = [];
    let since: number | undefined;
    for (let page = 0; page < 10; page++) {
      const { text } = await ok(client, 'get_evidence', { probeId, limit: 5, maxChars: 500, ...(since === undefined ? {} : { since }) });
      assert.ok(text.length <= 500, `answer of ${text.length} characters`);
      seen.push(...[...text.matchAll(/ n=(\d+) /g)].map((m) => Number(m[1])));
      const next = /next: (\d+) \((more items|no more items yet)/.exec(text);
      if (!next) {
        assert.match(text, /No evidence for p-\S+ after #\d+ yet/);
        break;
      }
      since = Number(next[1]);
      if (next[2] === 'no more items yet') break;
    }
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    await ok(client, 'remove_probe', { probeId });
  });

  it('ends the session when its token is revoked', async () => {
    const client = await world.connect('http', await world.token('dave', 'operator'));
    await ok(client, 'list_probes');
    await world.admin.request('token.revoke', { token: 'dave' });
    await waitFor(async () => {
      const r = await call(client, 'list_probes').catch((e: Error) => ({ isError: true, text: e.message }));
      return r.isError;
    }, 'the revoked token to lose its session');
  });

  it('never writes a token into the relay log', () => {
    assert.ok(world.minted.length >= 5);
    const log = world.relayLog.join('\n');
    assert.match(log, /MCP session \S+ opened by 'mcp:test-assistant'/, 'the log is captured');
    for (const secret of world.minted) assert.ok(!log.includes(secret), 'a token secret is in the relay log');
  });
});

describe('relay /mcp rate limit', function () {
  this.timeout(60_000);
  const world = new World({ requestRate: { perSecond: 1, burst: 20 } });
  before(() => world.start());
  after(() => world.dispose());

  it('shares a token\'s request budget with its WebSocket connections, and says when to retry', async () => {
    const token = await world.token('frank', 'operator');
    const assistant = await world.connect('http', token);
    const ws = await RelayClient.connect({ relay: world.relay.url, token, clientName: 'same-token' });
    try {
      for (let i = 0; i < 25; i++) await ws.request('probe.list', {}).catch(() => undefined);
    } finally {
      await ws.close();
    }
    const limited = await call(assistant, 'list_probes');
    assert.equal(limited.isError, true);
    assert.match(limited.text, /^rate_limited: too many requests from frank; retry in \d+ ms/);
  });
});

describe('runtruth mcp (stdio) without a relay', function () {
  this.timeout(30_000);
  it('starts anyway and answers each tool call with a relay_unreachable error', async () => {
    const client = new Client({ name: 'offline', version: '1' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--relay', 'ws://127.0.0.1:9', '--token', 'some-token-123'], stderr: 'pipe' }));
    try {
      const r = await call(client, 'list_services');
      assert.equal(r.isError, true);
      assert.match(r.text, /^relay_unreachable: relay unreachable at ws:\/\/127\.0\.0\.1:9: ECONNREFUSED/);
      assert.equal((await call(client, 'list_probes')).isError, true, 'and again on the next call');
    } finally {
      await client.close();
    }
  });
});
