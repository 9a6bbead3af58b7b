import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PROTOCOL_VERSION } from '../../backend/protocol';
import { CloseCode } from '../../backend/relay';
import { Harness, logProbe } from './helpers';

describe('relay tokens', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(() => h.close());

  it('creates a token once: returns the secret, stores only its hash, lists it without the secret', async () => {
    const admin = await h.client();
    const created = await admin.call('token.create', { name: 'alice', role: 'operator', scope: { services: ['checkout'] }, expiresInSeconds: 3600 });
    h.minted.push(created.secret);
    assert.match(created.secret, /^rt_tok_[A-Za-z0-9_-]{40,}$/);
    assert.equal(created.token.name, 'alice');
    assert.equal(created.token.role, 'operator');
    assert.equal(created.token.state, 'active');
    assert.equal(created.token.createdBy, 'admin');
    assert.deepEqual(created.token.scope, { services: ['checkout'] });
    assert.ok(Date.parse(created.token.expiresAt!) > Date.now());

    const { tokens } = await admin.call('token.list', {});
    assert.deepEqual(tokens.map((t) => t.name).sort(), ['admin', 'alice']);
    assert.ok(!JSON.stringify(tokens).includes(created.secret));

    await h.client(created.secret);
    const db = new Database(path.join(h.dataDir, 'relay.db'), { readonly: true });
    try {
      assert.ok(!JSON.stringify(db.prepare('SELECT * FROM secrets').all()).includes(created.secret), 'plaintext tokens must not be stored');
    } finally {
      db.close();
    }
    const listed = (await admin.call('token.list', {})).tokens.find((t) => t.name === 'alice');
    assert.ok(listed?.lastUsedAt, 'using a token records when');
  });

  it('tells the client who it is in the welcome: role, token id, ai flag, scope', async () => {
    const secret = await h.mint({ name: 'assistant', role: 'operator', ai: true, scope: { labels: { team: 'pay' } } });
    const peer = await h.open('/client');
    peer.send({ type: 'client.hello', protocol: PROTOCOL_VERSION, token: secret, client: { name: 'mcp', version: '1' } });
    const { identity } = await peer.nextOfType('welcome');
    assert.deepEqual({ ...identity, tokenId: 'x' }, { name: 'assistant', role: 'operator', tokenId: 'x', ai: true, scope: { labels: { team: 'pay' } } });
  });

  it('refuses a second active token with the same name, and names that look like ids', async () => {
    const admin = await h.client();
    await h.mint({ name: 'bob', role: 'viewer' });
    const again = await admin.request('token.create', { name: 'bob', role: 'admin' });
    assert.equal(!again.ok && again.error.code, 'conflict');
    const idLike = await admin.request('token.create', { name: 'tok-99', role: 'viewer' });
    assert.equal(!idLike.ok && idLike.error.code, 'bad_message');
  });

  it('revokes by name or id: the token stops working and its open connections are closed with 4401', async () => {
    const admin = await h.client();
    const carolSecret = await h.mint({ name: 'carol', role: 'viewer' });
    const carol = await h.client(carolSecret);
    const { revoked } = await admin.call('token.revoke', { token: 'carol' });
    assert.deepEqual(revoked.map((t) => [t.name, t.state, t.revokedBy]), [['carol', 'revoked', 'admin']]);
    assert.equal((await carol.nextOfType('error')).error.code, 'unauthorized');
    assert.equal((await carol.closed).code, CloseCode.unauthorized);

    const retry = await h.open('/client');
    retry.send({ type: 'client.hello', protocol: PROTOCOL_VERSION, token: carolSecret, client: { name: 'cli', version: '1' } });
    const refused = await retry.nextOfType('error');
    assert.equal(refused.error.code, 'unauthorized');
    assert.ok(!JSON.stringify(refused).includes(carolSecret));

    const dave = await admin.call('token.create', { name: 'dave', role: 'viewer' });
    h.minted.push(dave.secret);
    assert.deepEqual((await admin.call('token.revoke', { token: dave.token.id })).revoked.map((t) => t.id), [dave.token.id]);
    const unknown = await admin.request('token.revoke', { token: 'nobody' });
    assert.equal(!unknown.ok && unknown.error.code, 'not_found');
    const { tokens } = await admin.call('token.list', { includeInactive: true });
    assert.deepEqual(tokens.filter((t) => t.state === 'revoked').map((t) => t.name).sort(), ['carol', 'dave']);
    assert.ok(!(await admin.call('token.list', {})).tokens.some((t) => t.state !== 'active'));
  });

  it('refuses an expired token with a clear reason and lists it as expired', async () => {
    const admin = await h.client();
    const { secret, token } = await admin.call('token.create', { name: 'shortlived', role: 'viewer', expiresInSeconds: 60 });
    h.minted.push(secret);
    // move its expiry into the past directly in the store: the relay judges expiry at every hello
    const db = new Database(path.join(h.dataDir, 'relay.db'));
    db.prepare(`UPDATE secrets SET expires_at = ? WHERE name = 'shortlived'`).run(new Date(Date.now() - 1000).toISOString());
    db.close();
    const peer = await h.open('/client');
    peer.send({ type: 'client.hello', protocol: PROTOCOL_VERSION, token: secret, client: { name: 'cli', version: '1' } });
    const error = await peer.nextOfType('error');
    assert.deepEqual([error.error.code, error.error.message], ['unauthorized', 'token expired']);
    assert.equal((await peer.closed).code, CloseCode.unauthorized);
    const listed = (await admin.call('token.list', { includeInactive: true })).tokens.find((t) => t.id === token.id);
    assert.equal(listed?.state, 'expired');
  });

  it('ends a session whose token expires while connected', async () => {
    const admin = await h.client();
    const { secret } = await admin.call('token.create', { name: 'soon', role: 'viewer', expiresInSeconds: 60 });
    h.minted.push(secret);
    const expiresAt = Date.now() + 300;
    const db = new Database(path.join(h.dataDir, 'relay.db'));
    db.prepare(`UPDATE secrets SET expires_at = ? WHERE name = 'soon'`).run(new Date(expiresAt).toISOString());
    db.close();
    const soon = await h.client(secret); // valid at hello
    const error = await soon.nextOfType('error');
    assert.deepEqual([error.error.code, error.error.message], ['unauthorized', 'token expired']);
    assert.equal((await soon.closed).code, CloseCode.unauthorized);
  });

  it('never leaves the relay without an unscoped human admin', async () => {
    const admin = await h.client();
    const lone = await admin.request('token.revoke', { token: 'admin' });
    assert.equal(!lone.ok && lone.error.code, 'conflict');
    await h.mint({ name: 'ai-admin', role: 'admin', ai: true });
    await h.mint({ name: 'team-admin', role: 'admin', scope: { services: ['checkout'] } });
    assert.equal((await admin.request('token.revoke', { token: 'admin' })).ok, false, 'AI and scoped admins do not count');
    const ops = await admin.call('token.create', { name: 'ops', role: 'admin' });
    h.minted.push(ops.secret);
    assert.equal((await admin.call('token.revoke', { token: 'admin' })).revoked.length, 1);
  });

  it('does not recreate a revoked bootstrap admin token on restart while another admin exists', async () => {
    const admin = await h.client();
    const ops = await admin.call('token.create', { name: 'ops', role: 'admin' });
    h.minted.push(ops.secret);
    const bootstrap = h.adminToken;
    await admin.call('token.revoke', { token: 'admin' });
    await h.restart();
    assert.equal(h.adminToken, bootstrap, 'the file is not rewritten');
    assert.ok(h.logs.some((l) => /holds a revoked token/.test(l)));
    const refused = await h.open('/client');
    refused.send({ type: 'client.hello', protocol: PROTOCOL_VERSION, token: bootstrap, client: { name: 'cli', version: '1' } });
    assert.equal((await refused.nextOfType('error')).error.code, 'unauthorized');
    await h.client(ops.secret);
  });

  it('scopes a token to services: it sees and acts only there', async () => {
    await h.agent({ service: 'checkout' });
    await h.agent({ service: 'billing' });
    const admin = await h.client();
    const billingProbe = await admin.call('probe.add', { probe: logProbe('billing') });
    const team = await h.clientAs('operator', { scope: { services: ['checkout'] } });
    assert.deepEqual((await team.call('services.list', {})).services.map((s) => s.service), ['checkout']);
    const mine = await team.call('probe.add', { probe: logProbe('checkout') });
    assert.deepEqual((await team.call('probe.list', {})).probes.map((p) => p.probe.id), [mine.probe.id]);
    for (const [method, params] of [
      ['probe.add', { probe: logProbe('billing') }],
      ['probe.remove', { probeId: billingProbe.probe.id }],
      ['probe.list', { service: 'billing' }],
      ['evidence.query', { service: 'billing' }],
      ['evidence.query', { probeId: billingProbe.probe.id }],
      ['evidence.subscribe', { probeId: billingProbe.probe.id }],
    ] as const) {
      const r = await team.request(method, params as never);
      assert.equal(!r.ok && r.error.code, 'forbidden', `${method} ${JSON.stringify(params)}`);
    }
  });

  it('scopes a token to labels: its probes are narrowed to them and other instances are hidden', async () => {
    const pay = await h.agent({ service: 'checkout', labels: { team: 'pay' } });
    const other = await h.agent({ service: 'checkout', labels: { team: 'growth' } });
    const team = await h.clientAs('operator', { scope: { labels: { team: 'pay' } } });
    const { services } = await team.call('services.list', {});
    assert.deepEqual(services[0].instances.map((i) => i.instanceId), [pay.instance.instanceId]);
    const { probe } = await team.call('probe.add', { probe: logProbe('checkout') });
    assert.deepEqual(probe.selector.labels, { team: 'pay' });
    assert.equal((await pay.peer.nextOfType('probe.add')).probe.id, probe.id);
    const clash = await team.request('probe.add', { probe: logProbe('checkout', { selector: { service: 'checkout', labels: { team: 'growth' } } }) });
    assert.equal(!clash.ok && clash.error.code, 'forbidden');

    // evidence from the other team's instance (for an admin's probe) is not streamed to the scoped token
    const admin = await h.client();
    const everywhere = await admin.call('probe.add', { probe: logProbe('checkout') });
    await other.peer.nextOfType('probe.add');
    const sub = await team.call('evidence.subscribe', {});
    other.peer.send({ type: 'evidence', items: [{ kind: 'log', probeId: everywhere.probe.id, at: new Date().toISOString(), message: 'growth' }] });
    pay.peer.send({ type: 'evidence', items: [{ kind: 'log', probeId: everywhere.probe.id, at: new Date().toISOString(), message: 'pay' }] });
    const event = await team.next((m) => m.type === 'evidence' && m.subscription === sub.subscription);
    assert.deepEqual(event.items.map((i: { message: string }) => i.message), ['pay']);
    const stored = await team.call('evidence.query', {});
    assert.deepEqual(stored.items.map((i) => i.kind === 'log' && i.message), ['pay']);
    assert.deepEqual((await admin.call('evidence.query', {})).items.map((i) => i.kind === 'log' && i.message), ['growth', 'pay']);
  });
});
