import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PROTOCOL_VERSION, type InstanceInfo } from '../../backend/protocol';
import { CloseCode } from '../../backend/relay';
import { runCli } from '../support/proc';
import { Harness, makeInstance, type TestPeer } from './helpers';

/** Agent keys per environment or pool, managed with the real CLI, enforced at the relay's /agent endpoint. */
describe('relay agent keys per pool', function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(() => h.close());
  const cli = (args: string[]) => runCli([...args, '--relay', h.relay.url, '--token', h.adminToken]);

  const hello = (key: string, overrides: Partial<InstanceInfo> = {}) => h.agentHello(key, overrides);

  async function createPool(args: string[]): Promise<{ id: string; secret: string }> {
    const created = await cli(['token', 'create', '--kind', 'agent', ...args, '--json']);
    assert.equal(created.code, 0, created.stderr);
    const parsed = JSON.parse(created.stdout) as { id: string; secret: string; kind: string };
    assert.equal(parsed.kind, 'agent');
    h.minted.push(parsed.secret);
    return parsed;
  }

  it('a scoped pool key registers only matching instances; the legacy agent.key keeps working', async () => {
    const { id, secret } = await createPool(['--name', 'prod-pool', '--service', 'checkout', '--labels', 'env=prod', '--expires', '90d']);
    assert.match(secret, /^rt_agent_[A-Za-z0-9_-]{40,}$/);

    const inScope = await hello(secret, { service: 'checkout', labels: { env: 'prod', zone: 'a' } });
    assert.equal(inScope.answer.type, 'welcome');
    const outsiders: Partial<InstanceInfo>[] = [{ service: 'billing', labels: { env: 'prod' } }, { service: 'checkout', labels: { env: 'dev' } }, { service: 'checkout', labels: {} }];
    for (const outside of outsiders) {
      const refused = await hello(secret, outside);
      assert.equal(refused.answer.error?.code, 'forbidden', JSON.stringify(outside));
      assert.match(refused.answer.error!.message, /agent key 'prod-pool' may not register/);
      assert.equal((await refused.peer.closed).code, CloseCode.forbidden);
    }
    const legacy = await h.agent({ service: 'billing' });
    assert.equal(legacy.sync.length, 0, 'the legacy key is unscoped and still admitted');

    const list = await cli(['token', 'list', '--kind', 'agent']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${id} {2}prod-pool {2}agent key {2}active {2}services=checkout labels=env=prod {2}expires \\S+ {2}1 connected`));
    assert.match(list.stdout, /default {2}agent key {2}active {2}all services {2}no expiry {2}1 connected/);
    assert.ok(!list.stdout.includes(secret));

    const db = new Database(path.join(h.dataDir, 'relay.db'), { readonly: true });
    try {
      assert.ok(!JSON.stringify(db.prepare('SELECT * FROM secrets').all()).includes(secret), 'only the hash is stored');
    } finally {
      db.close();
    }
    const admin = await h.client();
    const { entries } = await admin.call('audit.query', { newest: true, limit: 200 });
    assert.ok(entries.some((e) => e.action === 'agentkey.created' && e.target === id));
    assert.ok(entries.some((e) => e.action === 'agent.connected' && e.details.key === 'prod-pool'));
    assert.ok(entries.some((e) => e.action === 'auth.failed' && e.details.reason === 'out-of-scope' && e.details.key === 'prod-pool'));
  });

  it('revoking a pool key closes its agents (4401) and refuses it from then on; other pools stay connected', async () => {
    const prod = await createPool(['--name', 'prod-pool']);
    const staging = await createPool(['--name', 'staging-pool']);
    const a = await hello(prod.secret, { service: 'checkout' });
    const b = await hello(prod.secret, { service: 'billing' });
    const c = await hello(staging.secret, { service: 'checkout' });
    for (const x of [a, b, c]) assert.equal(x.answer.type, 'welcome');

    const revoked = await cli(['token', 'revoke', 'prod-pool']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /prod-pool {2}agent key {2}revoked/);
    for (const x of [a, b]) {
      assert.equal((await x.peer.nextOfType('error')).error.code, 'unauthorized');
      assert.equal((await x.peer.closed).code, CloseCode.unauthorized);
    }
    const again = await hello(prod.secret, { service: 'checkout' });
    assert.equal(again.answer.error?.code, 'unauthorized');
    assert.equal(c.peer.ws.readyState, c.peer.ws.OPEN, 'the staging pool is untouched');

    const byId = await cli(['token', 'revoke', staging.id, '--kind', 'agent']);
    assert.equal(byId.code, 0, byId.stderr);
    assert.equal((await c.peer.closed).code, CloseCode.unauthorized);
    const nothing = await cli(['token', 'revoke', 'no-such-pool']);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /no active token or agent key no-such-pool/);
  });

  it('pool names are unique among active keys, and agent keys are admin-only and people-only', async () => {
    await createPool(['--name', 'edge']);
    const dup = await cli(['token', 'create', '--kind', 'agent', '--name', 'edge']);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /an agent key named 'edge' already exists/);
    const usage = await cli(['token', 'create', '--kind', 'agent', '--name', 'x', '--role', 'admin']);
    assert.equal(usage.code, 2);
    const operator = await h.clientAs('operator');
    assert.equal((await operator.request('agentkey.list', {})).ok, false);
    const aiAdmin = await h.clientAs('admin', { ai: true });
    const refused = await aiAdmin.request('agentkey.create', { name: 'sneaky' });
    assert.ok(!refused.ok && refused.error.code === 'forbidden');
  });
});
