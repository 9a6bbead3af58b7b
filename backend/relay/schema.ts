import type { Database } from 'better-sqlite3';

/**
 * Schema migrations, applied in order. Never edit a shipped step: append a new one, so every relay.db
 * can be brought forward from whatever version it was left at.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: secrets, registry, probes, statuses, evidence
  `
  CREATE TABLE secrets (
    id          INTEGER PRIMARY KEY,
    hash        TEXT NOT NULL UNIQUE,            -- sha256 hex of the secret; the plaintext is never stored
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('admin-token', 'agent-key')),
    role        TEXT,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
  );

  CREATE TABLE services (
    name           TEXT PRIMARY KEY,
    first_seen_at  TEXT NOT NULL
  );

  CREATE TABLE instances (
    instance_id   TEXT PRIMARY KEY,
    service       TEXT NOT NULL REFERENCES services (name),
    info          TEXT NOT NULL,                 -- InstanceInfo JSON from the latest hello
    connected     INTEGER NOT NULL DEFAULT 0,
    connected_at  TEXT,
    last_seen_at  TEXT NOT NULL
  );
  CREATE INDEX instances_by_service ON instances (service);

  CREATE TABLE probes (
    id          TEXT PRIMARY KEY,
    service     TEXT NOT NULL,
    spec        TEXT NOT NULL,                   -- ProbeSpec JSON
    expires_at  TEXT NOT NULL,
    removed_at  TEXT
  );
  CREATE INDEX probes_live ON probes (removed_at, service);

  CREATE TABLE probe_status (
    probe_id     TEXT NOT NULL,
    instance_id  TEXT NOT NULL,
    status       TEXT NOT NULL,                  -- ProbeStatus JSON
    PRIMARY KEY (probe_id, instance_id)
  );

  -- AUTOINCREMENT so ids are never reused after pruning: clients resume with afterId.
  CREATE TABLE evidence (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    probe_id     TEXT,
    service      TEXT NOT NULL,
    instance     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    at           TEXT NOT NULL,
    received_at  INTEGER NOT NULL,               -- epoch ms, relay clock (retention does not trust agent clocks)
    json         TEXT NOT NULL                   -- the Evidence item without its id
  );
  CREATE INDEX evidence_by_probe ON evidence (probe_id, id);
  CREATE INDEX evidence_by_service ON evidence (service, id);
  CREATE INDEX evidence_by_received ON evidence (received_at);

  CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
  );
  `,
];

/** Brings the database up to the latest schema; each step commits atomically with its version row. */
export function migrate(db: Database, migrations: readonly string[] = MIGRATIONS): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`);
  const current = (db.prepare(`SELECT COALESCE(MAX(version), 0) AS v FROM schema_version`).get() as { v: number }).v;
  if (current > migrations.length) {
    throw new Error(`relay.db is at schema version ${current}, newer than this relay understands (${migrations.length}); upgrade the relay`);
  }
  const record = db.prepare(`INSERT INTO schema_version (version, applied_at) VALUES (?, ?)`);
  for (let version = current + 1; version <= migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version - 1]);
      record.run(version, new Date().toISOString());
    })();
  }
  return migrations.length;
}
