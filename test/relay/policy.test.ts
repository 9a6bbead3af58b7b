import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DEFAULT_POLICY } from '../../backend/protocol';
import { globToRegExp, normalizePath } from '../../backend/relay/glob';
import { Harness, logProbe } from './helpers';

describe('relay policy', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(() => h.close());

  it('starts from the defaults and keeps what an admin sets across a restart', async () => {
    const admin = await h.client();
    assert.deepEqual(await admin.call('policy.get', {}), { policy: DEFAULT_POLICY });
    const set = await admin.call('policy.set', { policy: { maxTtlSeconds: 7200, redaction: ['^pass(word)?$', 'token'] } });
    assert.equal(set.updatedBy, 'admin');
    await h.restart();
    const again = await (await h.client()).call('policy.get', {});
    assert.deepEqual(again.policy, { ...DEFAULT_POLICY, maxTtlSeconds: 7200, redaction: ['^pass(word)?$', 'token'] });
  });

  it('stores only what an admin changed, so fields never set follow the defaults of later versions', async () => {
    const admin = await h.client();
    await admin.call('policy.set', { policy: { maxHits: 50, allowedKinds: DEFAULT_POLICY.allowedKinds } });
    const db = new Database(path.join(h.dataDir, 'relay.db'), { readonly: true });
    try {
      const row = db.prepare('SELECT json FROM policy').get() as { json: string };
      assert.deepEqual(JSON.parse(row.json), { maxHits: 50 });
    } finally {
      db.close();
    }
  });

  it('refuses an invalid policy with one clear error and changes nothing', async () => {
    const admin = await h.client();
    const badRegex = await admin.request('policy.set', { policy: { redaction: ['(unclosed'] } });
    assert.equal(!badRegex.ok && badRegex.error.code, 'bad_message');
    assert.match(!badRegex.ok ? badRegex.error.message : '', /regular expression/);
    const tooLong = await admin.request('policy.set', { policy: { maxTtlSeconds: 8 * 86400 } });
    assert.equal(!tooLong.ok && tooLong.error.code, 'bad_message');
    assert.deepEqual((await admin.call('policy.get', {})).policy, DEFAULT_POLICY);
  });

  it('enforces the TTL ceiling: refuses longer probes, gives probes without one the smaller default', async () => {
    await h.agent();
    const admin = await h.client();
    await admin.call('policy.set', { policy: { maxTtlSeconds: 1800 } });
    const operator = await h.clientAs('operator');
    const tooLong = await operator.request('probe.add', { probe: logProbe('checkout', { ttlSeconds: 3600 }) });
    assert.equal(!tooLong.ok && tooLong.error.code, 'policy_violation');
    assert.match(!tooLong.ok ? tooLong.error.message : '', /exceeds the policy maximum of 1800 \(30m\)/);
    const defaulted = await operator.call('probe.add', { probe: logProbe() });
    assert.equal(Date.parse(defaulted.probe.expiresAt) - Date.parse(defaulted.probe.createdAt), 1800_000);
  });

  it('enforces hit and rate ceilings, filling them in when a probe leaves them out; --clear lifts them', async () => {
    await h.agent();
    const admin = await h.client();
    await admin.call('policy.set', { policy: { maxHits: 100, maxPerSecond: 5 } });
    const many = await admin.request('probe.add', { probe: logProbe('checkout', { maxHits: 101 }) });
    assert.equal(!many.ok && many.error.code, 'policy_violation');
    const fast = await admin.request('probe.add', { probe: logProbe('checkout', { maxPerSecond: 10 }) });
    assert.equal(!fast.ok && fast.error.code, 'policy_violation');
    const filled = await admin.call('probe.add', { probe: logProbe() });
    assert.deepEqual([filled.probe.maxHits, filled.probe.maxPerSecond], [100, 5]);
    const within = await admin.call('probe.add', { probe: logProbe('checkout', { maxHits: 7, maxPerSecond: 0.5 }) });
    assert.deepEqual([within.probe.maxHits, within.probe.maxPerSecond], [7, 0.5]);
    const cleared = await admin.call('policy.set', { policy: {}, clear: ['maxHits', 'maxPerSecond'] });
    assert.deepEqual([cleared.policy.maxHits, cleared.policy.maxPerSecond], [undefined, undefined]);
  });

  it('enforces allowed kinds per role', async () => {
    await h.agent();
    const admin = await h.client();
    await admin.call('policy.set', { policy: { allowedKinds: { operator: [], admin: ['log'] } } });
    const operator = await h.clientAs('operator');
    const refused = await operator.request('probe.add', { probe: logProbe() });
    assert.equal(!refused.ok && refused.error.code, 'policy_violation');
    assert.match(!refused.ok ? refused.error.message : '', /does not let operators place 'log' probes/);
    assert.equal((await admin.call('probe.add', { probe: logProbe() })).state, 'live');
  });

  it('refuses probes on blocklisted files, naming the pattern', async () => {
    await h.agent();
    const admin = await h.client();
    await admin.call('policy.set', { policy: { fileBlocklist: ['secrets/**', '**/*.env.js', '/etc/**'] } });
    for (const file of ['src/secrets/keys.js', 'secrets/a/b.js', 'config/prod.env.js', 'file:///srv/app/secrets/x.js', 'C:\\app\\secrets\\x.js', '/etc/passwd']) {
      const r = await admin.request('probe.add', { probe: logProbe('checkout', { file }) });
      assert.equal(!r.ok && r.error.code, 'policy_violation', file);
      assert.match(!r.ok ? r.error.message : '', /blocked by the policy \(pattern '/);
    }
    for (const file of ['src/validate.js', 'src/not-secrets/x.js', 'etc/x.js']) {
      assert.equal((await admin.request('probe.add', { probe: logProbe('checkout', { file }) })).ok, true, file);
    }
  });

  it('removes a probe whose file matched only by suffix when an agent binds it inside a blocked directory', async () => {
    const agent = await h.agent({ instanceId: 'i-block' });
    const admin = await h.client();
    await admin.call('policy.set', { policy: { fileBlocklist: ['auth/**'] } });
    const { probe } = await admin.call('probe.add', { probe: logProbe('checkout', { file: 'login.js' }) });
    await agent.peer.nextOfType('probe.add');
    agent.peer.send({
      type: 'probe.status',
      statuses: [{ probeId: probe.id, instanceId: 'i-block', state: 'bound', at: new Date().toISOString(), location: { url: 'file:///srv/app/src/auth/login.js', line: 13 } }],
    });
    assert.equal((await agent.peer.nextOfType('probe.remove')).probeId, probe.id);
    const state = await admin.next((m) => m.type === 'probe.state' && m.view.probe.id === probe.id && m.view.state === 'removed');
    assert.ok(state);
    const { entries } = await admin.call('audit.query', { newest: true, limit: 50 });
    const blocked = entries.find((e) => e.action === 'probe.blocked');
    assert.deepEqual([blocked?.target, blocked?.details.pattern, blocked?.origin], [probe.id, 'auth/**', 'system']);
  });

  it('matches globs: ** spans directories, * and ? stay within one, {a,b} alternates, any directory boundary', () => {
    const m = (glob: string, file: string) => globToRegExp(normalizePath(glob)).test(normalizePath(file));
    assert.ok(m('secrets/*.ts', '/srv/app/src/secrets/keys.ts'));
    assert.ok(!m('secrets/*.ts', '/srv/app/src/secrets/deep/keys.ts'));
    assert.ok(m('secrets/**', '/srv/app/src/secrets/deep/keys.ts'));
    assert.ok(!m('secrets/**', '/srv/app/src/mysecrets/keys.ts'));
    assert.ok(m('**/*.{env,pem}.js', 'a/b/c.pem.js'));
    assert.ok(m('k?y.js', 'src/key.js'));
    assert.ok(!m('k?y.js', 'src/k/y.js'));
    assert.ok(m('/etc/**', 'file:///etc/x'));
    assert.ok(!m('/etc/**', '/srv/etc/x'));
    assert.ok(m('a.b', 'a.b') && !m('a.b', 'axb'), 'dots are literal');
  });
});
