import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PROTOCOL_VERSION } from '../../backend/protocol';
import { CloseCode } from '../../backend/relay';
import { Harness, logItem, logProbe } from './helpers';

describe('relay restart and secrets', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('generates recognisable secrets in 0600 files, stores only their hashes, and logs paths not secrets', async () => {
    h = await Harness.start();
    assert.match(h.adminToken, /^rt_admin_[A-Za-z0-9_-]{40,}$/);
    assert.match(h.agentKey, /^rt_agent_[A-Za-z0-9_-]{40,}$/);
    assert.equal(path.dirname(h.relay.adminTokenFile), h.dataDir);
    for (const file of [h.relay.adminTokenFile, h.relay.agentKeyFile]) assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.ok(h.logs.some((l) => l.includes(h.relay.adminTokenFile)));
    assert.ok(h.logs.some((l) => l.includes(h.relay.agentKeyFile)));

    const db = new Database(path.join(h.dataDir, 'relay.db'), { readonly: true });
    try {
      const dump = JSON.stringify(db.prepare('SELECT * FROM secrets').all());
      assert.ok(!dump.includes(h.adminToken) && !dump.includes(h.agentKey), 'plaintext secrets must not be stored');
      const kinds = db.prepare(`SELECT kind FROM secrets WHERE revoked_at IS NULL ORDER BY kind`).all() as { kind: string }[];
      assert.deepEqual(
        kinds.map((k) => k.kind),
        ['agent-key', 'token'],
      );
    } finally {
      db.close();
    }
  });

  it('keeps tokens, probes and evidence across a restart without rewriting the secret files', async () => {
    h = await Harness.start();
    const token = h.adminToken;
    const key = h.agentKey;
    const mtimes = [h.relay.adminTokenFile, h.relay.agentKeyFile].map((f) => fs.statSync(f).mtimeMs);

    const agent = await h.agent({ instanceId: 'i-persist' });
    let client = await h.client();
    const { probe } = await client.call('probe.add', { probe: logProbe() });
    const sub = await client.call('evidence.subscribe', { probeId: probe.id });
    agent.peer.send({ type: 'evidence', items: [logItem(probe.id, 'before restart')] });
    await client.next((m) => m.type === 'evidence' && m.subscription === sub.subscription);

    const linesBefore = h.logs.length;
    await h.restart();
    assert.equal(h.adminToken, token);
    assert.equal(h.agentKey, key);
    assert.deepEqual(
      [h.relay.adminTokenFile, h.relay.agentKeyFile].map((f) => fs.statSync(f).mtimeMs),
      mtimes,
    );
    assert.ok(!h.logs.slice(linesBefore).some((l) => /created a new|registered/.test(l)), 'no new secrets on restart');

    client = await h.client(token);
    const { probes } = await client.call('probe.list', {});
    assert.deepEqual(
      probes.map((p) => p.probe.id),
      [probe.id],
    );
    const stored = await client.call('evidence.query', { probeId: probe.id });
    assert.deepEqual(
      stored.items.map((i) => i.kind === 'log' && i.message),
      ['before restart'],
    );
    const { services } = await client.call('services.list', {});
    assert.equal(services[0].instances[0].instanceId, 'i-persist');
    assert.equal(services[0].instances[0].connected, false);

    const back = await h.agent({ instanceId: 'i-persist' });
    assert.deepEqual(
      back.sync.map((p) => p.id),
      [probe.id],
    );
    assert.ok(!h.logs.join('\n').includes(token) && !h.logs.join('\n').includes(key));
  });

  it('registers preset secrets (hashed), writes them to the files, and replaces them when the preset changes', async () => {
    const adminToken = 'preset-admin-token-1234';
    const agentKey = 'preset-agent-key-5678';
    h = await Harness.start({ adminToken, agentKey });
    assert.equal(h.adminToken, adminToken);
    assert.equal(h.agentKey, agentKey);
    await h.client(adminToken);
    await h.agent();

    await h.restart({ adminToken: 'rotated-admin-token-0000' });
    assert.equal(h.adminToken, 'rotated-admin-token-0000');
    await h.client('rotated-admin-token-0000');
    const old = await h.open('/client');
    old.send({ type: 'client.hello', protocol: PROTOCOL_VERSION, token: adminToken, client: { name: 'old', version: '1' } });
    assert.equal((await old.nextOfType('error')).error.code, 'unauthorized');
    assert.equal((await old.closed).code, CloseCode.unauthorized);
    await h.agent(); // the agent key preset is unchanged and still valid
  });

  it('refuses a preset that could never be sent on the wire', async () => {
    h = await Harness.start();
    await h.relay.close();
    const { startRelay } = await import('../../backend/relay');
    await assert.rejects(startRelay({ port: 0, dataDir: h.dataDir, adminToken: 'short', log: () => undefined }), /8-512 characters/);
    await h.restart();
  });
});
