import assert from 'node:assert/strict';
import { PROTOCOL_VERSION } from '../../backend/protocol';
import type { AuditRecord } from '../../backend/relay/audit';
import { AuthFailureAudit, sourceOf } from '../../backend/relay/auth-failures';
import { newStats } from '../../backend/relay/stats';
import { Harness, until } from './helpers';

describe('relay: failed-auth floods and /metrics access', function () {
  this.timeout(30_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function badHello(harness: Harness): Promise<void> {
    const peer = await harness.open('/client');
    peer.send({ type: 'client.hello', protocol: PROTOCOL_VERSION, token: 'not-a-real-token-000', client: { name: 'flood', version: '1' } });
    await peer.closed;
    harness.peers.delete(peer);
  }

  const metrics = async (harness: Harness, token?: string) => {
    const res = await fetch(`${harness.relay.url.replace('ws:', 'http:')}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: res.status, auth: res.headers.get('www-authenticate'), text: await res.text() };
  };
  const sample = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1]);

  it('audits the first failures of a source one by one, then one summary with the count per window', async () => {
    h = await Harness.start({ authFailureAudit: { perSource: 3, total: 100, windowMs: 400 } });
    for (let i = 0; i < 20; i++) await badHello(h);
    const admin = await h.client();
    const audited = async () => (await admin.call('audit.query', { limit: 1000 })).entries.filter((e) => e.action.startsWith('auth.failed'));
    await until(async () => (await audited()).some((e) => e.action === 'auth.failed.summary'), 'the window summary');
    const entries = await audited();
    assert.deepEqual(
      entries.map((e) => e.action),
      ['auth.failed', 'auth.failed', 'auth.failed', 'auth.failed.summary'],
    );
    assert.deepEqual(entries[3]!.details.unaudited, 17);
    assert.deepEqual(entries[3]!.details.sources, [{ source: '127.0.0.1', count: 17 }]);
    const m = await metrics(h, h.adminToken);
    assert.equal(sample(m.text, 'runtruth_auth_failures_total'), 20);
    assert.equal(sample(m.text, 'runtruth_auth_failures_unaudited_total'), 17);
    assert.ok(h.logs.filter((l) => l.includes("client 'flood' refused")).length === 20, 'the log still names every refusal');
  });

  it('a flood with the default limits adds a bounded number of audit entries', async () => {
    h = await Harness.start();
    const admin = await h.client();
    const before = (await admin.call('audit.query', { newest: true, limit: 1 })).lastSeq;
    for (let i = 0; i < 150; i++) await badHello(h);
    const after = (await admin.call('audit.query', { newest: true, limit: 1 })).lastSeq;
    assert.equal(after - before, 10, 'the first 10 from this source; the other 140 wait for the summary');
  });

  it('caps per source and overall, and keeps every source in the summary count', () => {
    let now = 0;
    const records: AuditRecord[] = [];
    const stats = newStats();
    const audit = { record: (r: AuditRecord) => records.push(r) } as never;
    const failures = new AuthFailureAudit({ audit, stats, now: () => now }, { perSource: 2, total: 5, windowMs: 1000, maxSources: 3 });
    for (let s = 0; s < 6; s++) for (let i = 0; i < 3; i++) failures.record(`10.0.0.${s}:${4000 + i}`, { endpoint: 'client' });
    assert.equal(records.length, 5, 'the overall cap');
    now = 1000;
    failures.record('10.0.0.9:1', {}); // the next window: the old one is summarised first
    const summary = records[5]!;
    assert.equal(summary.action, 'auth.failed.summary');
    assert.equal(summary.details!.unaudited, 13);
    const sources = summary.details!.sources as { source: string; count: number }[];
    assert.equal(sources.reduce((n, s) => n + s.count, 0), 13);
    assert.ok(sources.some((s) => s.source === '(other sources)'), 'sources beyond maxSources are counted together');
    assert.equal(records[6]!.action, 'auth.failed');
    assert.equal(stats.authFailures, 19);
    failures.flush();
    assert.deepEqual([sourceOf('1.2.3.4:5678'), sourceOf('::1:5678'), sourceOf('203.0.113.7 via 127.0.0.1:9')], ['1.2.3.4', '::1', '203.0.113.7']);
  });

  it('/metrics needs a valid token of any role (Bearer), unless the relay was started with metricsPublic', async () => {
    h = await Harness.start();
    const none = await metrics(h);
    assert.equal(none.status, 401);
    assert.equal(none.auth, 'Bearer realm="runtruth"');
    assert.match(none.text, /--metrics-public/);
    assert.ok(!none.text.includes('runtruth_'), 'no metrics leak in the refusal');
    assert.equal((await metrics(h, 'wrong-token-123456789')).status, 401);
    const viewer = await h.mint({ name: 'prometheus', role: 'viewer' });
    const ok = await metrics(h, viewer);
    assert.equal(ok.status, 200);
    assert.equal(sample(ok.text, 'runtruth_auth_failures_total'), 2);
    const admin = await h.client();
    const { entries } = await admin.call('audit.query', { newest: true, limit: 50 });
    assert.deepEqual(
      entries.filter((e) => e.action === 'auth.failed').map((e) => [e.details.endpoint, e.details.reason]),
      [
        ['metrics', 'missing'],
        ['metrics', 'unknown'],
      ],
    );
    assert.equal((await fetch(`${h.relay.url.replace('ws:', 'http:')}/healthz`)).status, 200, '/healthz stays open for load balancers');

    await h.restart({ metricsPublic: true });
    assert.equal((await metrics(h)).status, 200);
  });
});
