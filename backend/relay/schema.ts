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
  // 2: roles/scopes/expiry on tokens, probe lifecycle + approvals, the audit chain, the policy
  `
  CREATE TABLE secrets_v2 (
    id            INTEGER PRIMARY KEY,
    hash          TEXT NOT NULL UNIQUE,          -- sha256 hex of the secret; the plaintext is never stored
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('token', 'agent-key')),
    role          TEXT CHECK (role IS NULL OR role IN ('viewer', 'operator', 'admin')),
    ai            INTEGER NOT NULL DEFAULT 0,
    scope         TEXT,                          -- TokenScope JSON, NULL = everything
    created_at    TEXT NOT NULL,
    created_by    TEXT,
    expires_at    TEXT,
    revoked_at    TEXT,
    revoked_by    TEXT,
    last_used_at  TEXT
  );
  INSERT INTO secrets_v2 (id, hash, name, kind, role, created_at, revoked_at)
    SELECT id, hash, name,
           CASE kind WHEN 'admin-token' THEN 'token' ELSE kind END,
           CASE kind WHEN 'admin-token' THEN COALESCE(role, 'admin') END,
           created_at, revoked_at
    FROM secrets;
  DROP TABLE secrets;
  ALTER TABLE secrets_v2 RENAME TO secrets;
  CREATE INDEX secrets_by_kind ON secrets (kind, revoked_at);

  ALTER TABLE probes ADD COLUMN state TEXT NOT NULL DEFAULT 'live'
    CHECK (state IN ('proposed', 'live', 'rejected', 'removed', 'expired'));
  ALTER TABLE probes ADD COLUMN approval TEXT;   -- Approval JSON
  UPDATE probes SET state = 'removed' WHERE removed_at IS NOT NULL;
  CREATE INDEX probes_by_state ON probes (state);

  -- append-only; each hash covers the row's fields and the previous row's hash
  CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    role       TEXT,
    origin     TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT,
    details    TEXT NOT NULL,                    -- JSON object
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
  );

  CREATE TABLE policy (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    json        TEXT NOT NULL,                   -- Policy JSON
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL
  );
  `,
  // 3: acknowledged agent evidence streams, per-instance drop counts, evidence bytes for retention by size
  `
  -- the newest stored batch of each agent evidence stream: a batch re-sent after a reconnect is stored once
  CREATE TABLE evidence_streams (
    instance_id  TEXT NOT NULL,
    stream       TEXT NOT NULL,
    last_seq     INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,               -- epoch ms
    PRIMARY KEY (instance_id, stream)
  );
  ALTER TABLE instances ADD COLUMN evidence_dropped INTEGER NOT NULL DEFAULT 0;
  INSERT INTO meta (key, value) SELECT 'evidence_bytes', CAST(COALESCE(SUM(length(CAST(json AS BLOB))), 0) AS TEXT) FROM evidence WHERE true
    ON CONFLICT (key) DO UPDATE SET value = excluded.value;
  `,
  // 4: incidents from the alert webhook
  `
  CREATE TABLE incidents (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint  TEXT NOT NULL,
    service      TEXT,
    status       TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
    starts_at    TEXT NOT NULL,
    json         TEXT NOT NULL                   -- the Incident JSON
  );
  CREATE INDEX incidents_open_by_fingerprint ON incidents (fingerprint, status);
  CREATE INDEX incidents_by_service ON incidents (service, id);
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
