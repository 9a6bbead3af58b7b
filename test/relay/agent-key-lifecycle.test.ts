import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PROTOCOL_VERSION, type InstanceInfo } from '../../backend/protocol';
import { CloseCode } from '../../backend/relay';
import { runCli } from '../support/proc';
import { Harness, makeInstance, type Msg, type TestPeer } from './helpers';

/** How long a test waits for the relay to act on an expiry a couple of seconds ahead (a deadline, not a measurement). */
const EXPIRY_DEADLINE_MS = 15_000;
const REVOKED_DEFAULT_LINE = /the default agent key is revoked .*agents need a pool key/;

/** The ends of an agent key's life that outlast one connection: expiry mid-connection, and revoking the legacy default key. */
describe('relay agent key lifecycle', function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(() => h.close());
  const cli = (args: string[]) => runCli([...args, '--relay', h.relay.url, '--token', h.adminToken]);

  const hello = (key: string, overrides: Partial<InstanceInfo> = {}) => h.agentHello(key, overrides);

  /**
   * The protocol's shortest agent-key TTL is 60 s, so the test moves the stored expiry (in the relay's own
   * database) to a couple of seconds ahead; the relay reads it from there at the agent's hello.
   */
  function expireSoon(keyId: string, inMs: number): string {
    const expiresAt = new Date(Date.now() + inMs).toISOString();
    const db = new Database(path.join(h.dataDir, 'relay.db'));
    try {
      const changed = db.prepare('UPDATE secrets SET expires_at = ? WHERE id = ?').run(expiresAt, Number(keyId.slice('tok-'.length))).changes;
      assert.equal(changed, 1);
    } finally {
      db.close();
    }
    return expiresAt;
  }

  it('a pool key that expires while its agent is connected closes it 4401, is audited with the pool as actor, and refuses the reconnect', async () => {
    const created = await cli(['token', 'create', '--kind', 'agent', '--name', 'short-pool', '--expires', '1h', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const pool = JSON.parse(created.stdout) as { id: string; secret: string };
    h.minted.push(pool.secret);
    const expiresAt = expireSoon(pool.id, 2000);

    const connected = await hello(pool.secret, { service: 'checkout', instanceId: 'expiring-1' });
    assert.equal(connected.answer.type, 'welcome');
    const legacy = await h.agent({ service: 'billing' });

    const error = await connected.peer.next((m) => m.type === 'error', 'the expiry error', EXPIRY_DEADLINE_MS);
    assert.deepEqual(error.error, { code: 'unauthorized', message: 'agent key expired' });
    assert.equal((await connected.peer.closed).code, CloseCode.unauthorized);
    assert.equal(legacy.peer.ws.readyState, legacy.peer.ws.OPEN, 'agents on other keys stay connected');

    const admin = await h.client();
    const { entries } = await admin.call('audit.query', { newest: true, limit: 200 });
    const expiry = entries.filter((e) => e.action === 'agentkey.expired');
    assert.equal(expiry.length, 1, JSON.stringify(entries.map((e) => e.action)));
    assert.equal(expiry[0]!.actor, 'agent-key:short-pool');
    assert.equal(expiry[0]!.origin, 'system');
    assert.equal(expiry[0]!.target, pool.id);
    assert.deepEqual(expiry[0]!.details, { reason: 'expired', key: 'short-pool', instance: 'checkout/expiring-1', expiresAt });

    const again = await hello(pool.secret, { service: 'checkout', instanceId: 'expiring-1' });
    assert.deepEqual(again.answer.error, { code: 'unauthorized', message: 'agent key expired' });
    assert.equal((await again.peer.closed).code, CloseCode.unauthorized);
    const list = await cli(['token', 'list', '--kind', 'agent', '--all']);
    assert.match(list.stdout, new RegExp(`${pool.id} {2}short-pool {2}agent key {2}expired`));
  });

  it('revoking the legacy default key survives restarts: no fresh agent.key, the old one stays refused, the log says so once per start', async () => {
    const firstRun = fs.readFileSync(h.relay.agentKeyFile, 'utf8');
    assert.match(firstRun, /^rt_agent_/, 'a fresh data dir gets a default agent key');
    const legacy = await h.agent({ service: 'checkout' });
    const pool = JSON.parse((await cli(['token', 'create', '--kind', 'agent', '--name', 'prod-pool', '--json'])).stdout) as { secret: string };
    h.minted.push(pool.secret);

    const revoked = await cli(['token', 'revoke', 'default']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /default {2}agent key {2}revoked/);
    assert.equal((await legacy.peer.closed).code, CloseCode.unauthorized);

    for (let start = 0; start < 2; start++) {
      const logFrom = h.logs.length;
      await h.restart();
      const startLog = h.logs.slice(logFrom);
      assert.equal(startLog.filter((l) => REVOKED_DEFAULT_LINE.test(l)).length, 1, startLog.join('\n'));
      assert.ok(!startLog.some((l) => /created a new agent key/.test(l)), startLog.join('\n'));
      assert.equal(fs.readFileSync(h.relay.agentKeyFile, 'utf8'), firstRun, 'agent.key is not replaced');

      const old = await hello(firstRun);
      assert.deepEqual(old.answer.error, { code: 'unauthorized', message: 'unknown or revoked agent key' });
      assert.equal((await old.peer.closed).code, CloseCode.unauthorized);
      assert.equal((await hello(pool.secret)).answer.type, 'welcome', 'pool keys keep working');
    }
    const list = await cli(['token', 'list', '--kind', 'agent', '--all', '--json']);
    const keys = list.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { name: string; state: string });
    assert.deepEqual(keys.filter((k) => k.name === 'default').map((k) => k.state), ['revoked'], 'no second default key was made');

    // the revoked key handed back as a preset (RUNTRUTH_AGENT_KEY) does not bring it back either
    await h.restart({ agentKey: firstRun });
    assert.deepEqual((await hello(firstRun)).answer.error?.code, 'unauthorized');
    assert.ok(h.logs.some((l) => /the preset agent key was revoked and stays revoked/.test(l)));
  });
});
