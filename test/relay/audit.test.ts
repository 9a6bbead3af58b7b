import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AuditEntry, PROTOCOL_VERSION } from '../../backend/protocol';
import { ChainVerifier, canonicalJson } from '../../backend/relay/audit-chain';
import { runCli } from '../support/proc';
import { Harness, logItem, logProbe, type TestPeer } from './helpers';

async function allEntries(client: TestPeer): Promise<AuditEntry[]> {
  return (await client.call('audit.query', { limit: 10_000 })).entries;
}

describe('relay audit log', function () {
  this.timeout(30_000);
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(() => h.close());

  it('records every governed action with actor, role, origin and details, in one hash chain', async () => {
    const agent = await h.agent({ service: 'checkout', instanceId: 'i-audit' });
    const admin = await h.client();
    const created = await admin.call('token.create', { name: 'claude', role: 'operator', ai: true });
    h.minted.push(created.secret);
    const ai = await h.client(created.secret);
    const proposal = await ai.call('probe.add', { probe: logProbe() });
    const rejected = await ai.call('probe.add', { probe: logProbe() });
    await admin.call('probe.approve', { probeId: proposal.probe.id });
    await admin.call('probe.reject', { probeId: rejected.probe.id, reason: 'no' });
    const short = await admin.call('probe.add', { probe: logProbe('checkout', { ttlSeconds: 1 }) });
    await agent.peer.next((m) => m.type === 'probe.remove' && m.probeId === short.probe.id, 'the expiry');
    const sub = await admin.call('evidence.subscribe', { probeId: proposal.probe.id });
    agent.peer.send({ type: 'evidence', items: [logItem(proposal.probe.id, 'x')] });
    await admin.next((m) => m.type === 'evidence' && m.subscription === sub.subscription);
    await admin.call('evidence.query', { probeId: proposal.probe.id });
    await admin.call('probe.remove', { probeId: proposal.probe.id });
    await admin.call('policy.set', { policy: { maxHits: 100 } });
    await admin.call('token.revoke', { token: 'claude' });
    const viewer = await h.clientAs('viewer');
    await viewer.request('probe.add', { probe: logProbe() });
    const stranger = await h.open('/client');
    stranger.send({ type: 'client.hello', protocol: PROTOCOL_VERSION, token: 'rt_tok_not-a-real-token-at-all', client: { name: 'x', version: '1' } });
    await stranger.closed;
    await agent.peer.close();
    const admin2 = await h.client();

    const entries = await allEntries(admin2);
    const find = (action: string, target?: string) => entries.find((e) => e.action === action && (target === undefined || e.target === target));
    const summary = (e: AuditEntry | undefined) => e && [e.actor, e.role, e.origin];
    assert.deepEqual(summary(find('relay.started')), ['relay', undefined, 'system']);
    assert.deepEqual(summary(find('agent.connected')), ['agent:checkout/i-audit', 'agent', 'agent']);
    assert.deepEqual(summary(find('token.created', created.token.id)), ['admin', 'admin', 'human']);
    assert.deepEqual(summary(find('token.used', created.token.id)), ['claude', 'operator', 'ai']);
    assert.deepEqual(summary(find('probe.proposed', proposal.probe.id)), ['claude', 'operator', 'ai']);
    assert.deepEqual(summary(find('probe.approved', proposal.probe.id)), ['admin', 'admin', 'human']);
    assert.deepEqual(summary(find('probe.rejected', rejected.probe.id)), ['admin', 'admin', 'human']);
    assert.deepEqual(summary(find('probe.created', short.probe.id)), ['admin', 'admin', 'human']);
    assert.deepEqual(summary(find('probe.expired', short.probe.id)), ['relay', undefined, 'system']);
    assert.deepEqual(summary(find('evidence.subscribed')), ['admin', 'admin', 'human']);
    assert.deepEqual(summary(find('evidence.read')), ['admin', 'admin', 'human']);
    assert.deepEqual(summary(find('probe.removed', proposal.probe.id)), ['admin', 'admin', 'human']);
    assert.deepEqual(find('policy.changed')?.details, { changed: ['maxHits'], before: {}, after: { maxHits: 100 } });
    assert.deepEqual(summary(find('token.revoked', created.token.id)), ['admin', 'admin', 'human']);
    assert.equal(find('request.denied', 'probe.add')?.role, 'viewer');
    assert.equal(find('auth.failed')?.details.reason, 'unknown');
    assert.ok(find('agent.disconnected'));
    assert.equal(find('probe.proposed', proposal.probe.id)?.details.template, 'amount={amount}', 'what a probe reads is on record');

    const verifier = new ChainVerifier();
    verifier.feed(entries);
    assert.equal(verifier.broken, undefined);
    assert.equal(verifier.checked, entries.length);
    assert.deepEqual(entries.map((e) => e.seq), entries.map((_, i) => i + 1));
    const secrets = [h.adminToken, h.agentKey, created.secret];
    assert.ok(!secrets.some((s) => JSON.stringify(entries).includes(s)), 'no secret in the audit log');
  });

  it('`runtruth audit --verify` passes an intact chain and names the first entry changed in SQLite (exit 1)', async () => {
    await h.agent();
    const admin = await h.client();
    for (let i = 0; i < 3; i++) await admin.call('probe.add', { probe: logProbe() });
    const cli = (...args: string[]) => runCli(['audit', ...args, '--relay', h.relay.url, '--token', h.adminToken]);

    const intact = await cli('--verify');
    assert.equal(intact.code, 0, intact.stderr);
    assert.match(intact.stdout, /audit chain intact: \d+ entries, head [0-9a-f]{64}/);

    const victim = (await allEntries(admin)).find((e) => e.action === 'probe.created')!;
    const db = new Database(path.join(h.dataDir, 'relay.db'));
    db.prepare(`UPDATE audit SET details = json_set(details, '$.line', 99) WHERE seq = ?`).run(victim.seq);
    db.close();
    const broken = await cli('--verify');
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, new RegExp(`BROKEN at entry #${victim.seq}: contents do not match its hash`));
    const json = JSON.parse((await cli('--verify', '--json')).stdout);
    assert.deepEqual([json.ok, json.firstBroken.seq], [false, victim.seq]);
  });

  it('detects a deleted entry, and a rewritten entry even when its own hash is recomputed', async () => {
    const admin = await h.client();
    for (let i = 0; i < 4; i++) await admin.call('policy.set', { policy: { maxHits: 10 + i } });
    const entries = await allEntries(admin);
    const db = new Database(path.join(h.dataDir, 'relay.db'));
    db.prepare(`DELETE FROM audit WHERE seq = 3`).run();
    db.close();
    let verifier = new ChainVerifier();
    verifier.feed(await allEntries(admin));
    assert.equal(verifier.broken?.seq, 4);
    assert.match(verifier.broken!.reason, /expected entry 3 next/);

    // an attacker who recomputes the changed entry's hash still breaks the link to the next one
    const forged = { ...entries[4]!, details: { ...entries[4]!.details, after: { maxHits: 1e6 } } };
    const { entryHash } = await import('../../backend/relay/audit-chain');
    forged.hash = entryHash(forged);
    verifier = new ChainVerifier();
    verifier.feed([...entries.slice(0, 4), forged, ...entries.slice(5)]);
    assert.equal(verifier.broken?.seq, 6);
    assert.match(verifier.broken!.reason, /prevHash/);
  });

  it('exports with --json (one entry a line) and verifies an export offline with --file', async () => {
    const admin = await h.client();
    await admin.call('policy.set', { policy: { maxHits: 5 } });
    const exported = await runCli(['audit', '--json', '--relay', h.relay.url, '--token', h.adminToken]);
    assert.equal(exported.code, 0, exported.stderr);
    const lines = exported.stdout.split('\n').filter(Boolean);
    const parsed = lines.map((l) => AuditEntry.parse(JSON.parse(l)));
    assert.deepEqual(parsed.map((e) => e.seq), parsed.map((_, i) => i + 1));
    const file = path.join(h.dataDir, 'export.jsonl');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    assert.equal((await runCli(['audit', '--verify', '--file', file])).code, 0);
    const tampered = [...lines];
    tampered[1] = JSON.stringify({ ...JSON.parse(lines[1]!), actor: 'someone-else' });
    fs.writeFileSync(file, tampered.join('\n'));
    const result = await runCli(['audit', '--verify', '--file', file]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /BROKEN at entry #2/);

    const newest = await runCli(['audit', '--limit', '2', '--relay', h.relay.url, '--token', h.adminToken]);
    assert.equal(newest.stdout.split('\n').filter(Boolean).length, 2);
    assert.match(newest.stdout, /policy\.changed|token\.used/);
  });

  it('hashes canonical JSON: key order does not matter, values do', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'x' } }), '{"a":{"c":"x","d":[1,{"x":1,"y":2}]},"b":1}');
    assert.equal(canonicalJson({ a: undefined, b: null }), '{"b":null}');
  });

  it('continues the chain across a restart', async () => {
    await h.client();
    await h.restart();
    const admin = await h.client();
    const verifier = new ChainVerifier();
    const entries = await allEntries(admin);
    verifier.feed(entries);
    assert.equal(verifier.broken, undefined);
    assert.deepEqual(entries.filter((e) => e.action.startsWith('relay.')).map((e) => e.action), ['relay.started', 'relay.stopped', 'relay.started']);
  });
});
