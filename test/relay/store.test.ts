import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate, MIGRATIONS } from '../../backend/relay/schema';
import { openStore, type Store } from '../../backend/relay/store';
import { Harness, logItem, logProbe } from './helpers';

describe('relay store', () => {
  let dir: string;
  let store: Store | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtruth-store-test-'));
  });
  afterEach(() => {
    store?.close();
    store = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('applies migrations once, in order, recording each version, in WAL mode', () => {
    const file = path.join(dir, 'relay.db');
    store = openStore(file);
    store.close();
    store = openStore(file); // second open: nothing to apply
    store.close();
    store = undefined;
    const db = new Database(file);
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      const versions = db.prepare('SELECT version FROM schema_version ORDER BY version').all() as { version: number }[];
      assert.deepEqual(
        versions.map((v) => v.version),
        MIGRATIONS.map((_, i) => i + 1),
      );
      // a later step appends to the list and only it runs
      assert.equal(migrate(db, [...MIGRATIONS, 'CREATE TABLE later_step (x INTEGER)']), MIGRATIONS.length + 1);
      assert.ok(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'later_step'`).get());
      assert.throws(() => migrate(db, MIGRATIONS), /newer than this relay understands/);
    } finally {
      db.close();
    }
  });

  it('migrates a version-1 database: admin tokens become role-carrying tokens, removed probes keep their end', () => {
    const file = path.join(dir, 'relay.db');
    const v1 = new Database(file);
    migrate(v1, MIGRATIONS.slice(0, 1));
    v1.prepare(`INSERT INTO secrets (hash, name, kind, role, created_at) VALUES ('aa', 'admin', 'admin-token', NULL, '2025-01-01T00:00:00.000Z')`).run();
    v1.prepare(`INSERT INTO secrets (hash, name, kind, role, created_at, revoked_at) VALUES ('bb', 'default', 'agent-key', NULL, '2025-01-01T00:00:00.000Z', '2025-02-01T00:00:00.000Z')`).run();
    const spec = (id: string) => JSON.stringify({ ...logProbe(), id, createdAt: '2025-01-01T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z' });
    v1.prepare(`INSERT INTO probes (id, service, spec, expires_at) VALUES ('p-live', 'checkout', ?, '2099-01-01T00:00:00.000Z')`).run(spec('p-live'));
    v1.prepare(`INSERT INTO probes (id, service, spec, expires_at, removed_at) VALUES ('p-gone', 'checkout', ?, '2099-01-01T00:00:00.000Z', '2025-01-02T00:00:00.000Z')`).run(spec('p-gone'));
    v1.close();

    store = openStore(file);
    assert.deepEqual(
      store.secrets.all('token').map((r) => [r.name, r.role, r.revoked_at]),
      [['admin', 'admin', null]],
    );
    assert.equal(store.secrets.all('agent-key')[0]?.revoked_at, '2025-02-01T00:00:00.000Z');
    assert.deepEqual(store.probes.open().map((r) => [r.probe.id, r.state]), [['p-live', 'live']]);
    assert.equal(store.probes.find('p-gone')?.state, 'removed');
  });

  it('assigns increasing ids and never reuses them after pruning', () => {
    store = openStore(path.join(dir, 'relay.db'));
    const now = new Date();
    const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ kind: 'log' as const, probeId: 'p-1', at: now.toISOString(), message: `m${i}`, service: 's', instance: 'i' }));
    const first = store.evidence.append(batch(5), now);
    assert.deepEqual(
      first.map((e) => e.id),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(store.evidence.prune({ olderThan: new Date(0), maxItems: 2, batch: 100 }), { deleted: 3, reason: 'items' });
    assert.equal(store.evidence.prunedThrough(), 3);
    assert.deepEqual(
      store.evidence.after(0, {}, 10).map((e) => e.id),
      [4, 5],
    );
    assert.equal(store.evidence.append(batch(1), now)[0].id, 6);
    assert.equal(store.evidence.lastId(), 6);
  });

  it('a resume from below what retention deleted starts with a relay gap', async () => {
    const h = await Harness.start({ retention: { maxItems: 2, sweepIntervalMs: 60_000 } });
    try {
      const agent = await h.agent();
      const client = await h.client();
      const { probe } = await client.call('probe.add', { probe: logProbe() });
      const sub = await client.call('evidence.subscribe', {});
      agent.peer.send({ type: 'evidence', items: [1, 2, 3, 4, 5].map((n) => logItem(probe.id, `n=${n}`)) });
      await client.next((m) => m.type === 'evidence' && m.subscription === sub.subscription);
      await h.restart(); // retention sweeps at startup

      const after = await h.client();
      const query = await after.call('evidence.query', { afterId: 0 });
      assert.deepEqual(
        query.items.map((i) => (i.kind === 'gap' ? `gap ${i.where} ${i.count}` : i.kind === 'log' ? i.message : i.kind)),
        ['gap relay 3', 'n=4', 'n=5'],
      );
      const resumed = await after.call('evidence.subscribe', { afterId: 1 });
      const event = await after.next((m) => m.type === 'evidence' && m.subscription === resumed.subscription);
      assert.deepEqual(
        event.items.map((i: { kind: string; count?: number; message?: string }) => (i.kind === 'gap' ? `gap ${i.count}` : i.message)),
        ['gap 2', 'n=4', 'n=5'],
      );
    } finally {
      await h.close();
    }
  });
});
