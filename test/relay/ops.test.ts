import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { PROTOCOL_VERSION } from '../../backend/protocol';
import { RelayClient } from '../../backend/client/relayClient';
import { ROOT } from '../support/proc';
import { Harness, logItem, logProbe } from './helpers';

const FIXTURES = path.join(ROOT, 'test/relay/fixtures');

function get(url: string, options: https.RequestOptions = {}): Promise<{ status?: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    (url.startsWith('https:') ? https : http)
      .get(url, { agent: false, ...options }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body }));
      })
      .on('error', reject);
  });
}

/** The value of one sample in Prometheus text, e.g. `runtruth_probes{state="live"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('relay operations', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('serves /metrics in Prometheus text: connections, probes, evidence, drops, queues, requests', async () => {
    h = await Harness.start();
    const agent = await h.agent();
    const client = await h.client();
    const { probe } = await client.call('probe.add', { probe: logProbe() });
    await client.call('probe.add', { probe: logProbe(), origin: 'ai' });
    const sub = await client.call('evidence.subscribe', {});
    agent.peer.send({ type: 'evidence', items: [logItem(probe.id, 'a'), logItem(probe.id, 'b')], dropped: 3 });
    await client.next((m) => m.type === 'evidence' && m.subscription === sub.subscription);

    const { status, type, body } = await get(`${h.relay.url.replace('ws:', 'http:')}/metrics`, { headers: { authorization: `Bearer ${h.adminToken}` } });
    assert.equal(status, 200);
    assert.match(type ?? '', /^text\/plain; version=0\.0\.4/);
    assert.equal(sample(body, 'runtruth_agents_connected'), 1);
    assert.equal(sample(body, 'runtruth_clients_connected'), 1);
    assert.equal(sample(body, 'runtruth_probes{state="live"}'), 1);
    assert.equal(sample(body, 'runtruth_probes{state="proposed"}'), 1);
    assert.equal(sample(body, 'runtruth_evidence_stored_total'), 3, 'two logs and the agent gap marker');
    assert.equal(sample(body, 'runtruth_evidence_dropped_total{where="agent"}'), 3);
    assert.equal(sample(body, 'runtruth_evidence_dropped_total{where="client-queue"}'), 0);
    assert.equal(typeof sample(body, 'runtruth_client_queue_depth{stat="max"}'), 'number');
    assert.equal(sample(body, 'runtruth_requests_total{method="probe.add"}'), 2);
    assert.ok((sample(body, 'runtruth_audit_entries') ?? 0) > 5);
    for (const line of body.split('\n').filter(Boolean)) assert.match(line, /^(# (HELP|TYPE) runtruth_\w+ .+|runtruth_\w+(\{[a-z]+="[^"]*"\})? \d+(\.\d+)?)$/, line);
  });

  it('rate-limits requests per token (shared by its connections) with rate_limited errors; other tokens are unaffected', async () => {
    h = await Harness.start({ requestRate: { perSecond: 0.001, burst: 5 } });
    const secret = await h.mint({ name: 'busy', role: 'viewer' });
    const first = await h.client(secret);
    const second = await h.client(secret);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await first.request('services.list', {}));
    for (let i = 0; i < 3; i++) results.push(await second.request('services.list', {}));
    assert.deepEqual(results.map((r) => (r.ok ? 'ok' : r.error.code)), ['ok', 'ok', 'ok', 'ok', 'ok', 'rate_limited', 'rate_limited']);
    const limited = results[6]!;
    assert.ok(!limited.ok && limited.error.details.retryAfterMs > 0);
    const other = await h.clientAs('viewer');
    assert.equal((await other.request('services.list', {})).ok, true);
    const metrics = await get(`${h.relay.url.replace('ws:', 'http:')}/metrics`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(sample(metrics.body, 'runtruth_requests_rate_limited_total'), 2);
  });

  it('serves wss:// and https:// with --tls-cert/--tls-key, and clients verify the certificate', async () => {
    h = await Harness.start({ tls: { cert: path.join(FIXTURES, 'relay-test.crt'), key: path.join(FIXTURES, 'relay-test.key') } });
    assert.match(h.relay.url, /^wss:\/\/127\.0\.0\.1:\d+$/);
    const ca = fs.readFileSync(path.join(FIXTURES, 'relay-test.crt'));
    const health = await get(`${h.relay.url.replace('wss:', 'https:')}/healthz`, { ca });
    assert.deepEqual([health.status, JSON.parse(health.body).ok], [200, true]);
    const client = await RelayClient.connect({ relay: h.relay.url, token: h.adminToken, ca });
    try {
      assert.deepEqual(await client.request('services.list', {}), { services: [] });
    } finally {
      await client.close();
    }
    await assert.rejects(RelayClient.connect({ relay: h.relay.url, token: h.adminToken }), /unreachable|certificate|self[- ]signed/i, 'an unknown certificate is refused');
    const plain = await get(`${h.relay.url.replace('wss:', 'http:')}/healthz`).catch((e: Error) => e);
    assert.ok(plain instanceof Error || plain.status !== 200, 'no plaintext on the TLS port');
  });

  it('refuses to start with an unreadable TLS file, naming it', async () => {
    h = await Harness.start();
    const { startRelay } = await import('../../backend/relay');
    await assert.rejects(startRelay({ port: 0, dataDir: h.dataDir, tls: { cert: '/nonexistent/cert.pem', key: '/nonexistent/key.pem' }, log: () => undefined }), /cannot read the TLS certificate file \/nonexistent\/cert\.pem: ENOENT/);
  });

  it('binds 127.0.0.1 by default', async () => {
    h = await Harness.start();
    assert.match(h.relay.url, /^ws:\/\/127\.0\.0\.1:/);
  });

  it('behind a trusted proxy, records the forwarded client address', async () => {
    h = await Harness.start({ trustProxy: true });
    const peer = await h.open('/client', { headers: { 'x-forwarded-for': '203.0.113.7' } });
    peer.send({ type: 'client.hello', protocol: PROTOCOL_VERSION, token: h.adminToken, client: { name: 'proxied', version: '1' } });
    await peer.nextOfType('welcome');
    const { entries } = await peer.call('audit.query', { newest: true, limit: 5 });
    const used = entries.find((e) => e.action === 'token.used');
    assert.match(String(used?.details.remote), /^203\.0\.113\.7 via 127\.0\.0\.1:\d+$/);
  });
});
