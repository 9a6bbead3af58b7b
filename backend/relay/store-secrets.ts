import type { Database } from 'better-sqlite3';

export type SecretKind = 'admin-token' | 'agent-key';

export interface SecretRow {
  id: number;
  hash: string;
  name: string;
  kind: SecretKind;
  role: string | null;
}

/** Hashed tokens and agent keys. Only sha256 hashes ever reach this table. */
export class SecretStore {
  private readonly activeOfKind;
  private readonly activeNamed;
  private readonly insert;
  private readonly revokeOne;

  constructor(db: Database) {
    this.activeOfKind = db.prepare<[SecretKind], SecretRow>(
      `SELECT id, hash, name, kind, role FROM secrets WHERE kind = ? AND revoked_at IS NULL ORDER BY id`,
    );
    this.activeNamed = db.prepare<[SecretKind, string], SecretRow>(
      `SELECT id, hash, name, kind, role FROM secrets WHERE kind = ? AND name = ? AND revoked_at IS NULL ORDER BY id`,
    );
    this.insert = db.prepare(`INSERT INTO secrets (hash, name, kind, role, created_at) VALUES (?, ?, ?, ?, ?)`);
    this.revokeOne = db.prepare(`UPDATE secrets SET revoked_at = ? WHERE id = ?`);
  }

  active(kind: SecretKind): SecretRow[] {
    return this.activeOfKind.all(kind);
  }

  activeNamedAs(kind: SecretKind, name: string): SecretRow[] {
    return this.activeNamed.all(kind, name);
  }

  add(secret: { hash: string; name: string; kind: SecretKind; role?: string }, now: Date): void {
    this.insert.run(secret.hash, secret.name, secret.kind, secret.role ?? null, now.toISOString());
  }

  revoke(id: number, now: Date): void {
    this.revokeOne.run(now.toISOString(), id);
  }
}
