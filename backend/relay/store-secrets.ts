import type { Database } from 'better-sqlite3';
import type { Role, TokenScope } from '../protocol';

export type SecretKind = 'token' | 'agent-key';

export interface SecretRow {
  id: number;
  hash: string;
  name: string;
  kind: SecretKind;
  role: Role | null;
  ai: number;
  scope: string | null;
  created_at: string;
  created_by: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  last_used_at: string | null;
}

export interface NewSecret {
  hash: string;
  name: string;
  kind: SecretKind;
  role?: Role;
  ai?: boolean;
  scope?: TokenScope;
  createdBy?: string;
  expiresAt?: string;
}

/** Hashed tokens and agent keys. Only sha256 hashes ever reach this table. */
export class SecretStore {
  private readonly activeOfKind;
  private readonly activeNamed;
  private readonly withHash;
  private readonly withId;
  private readonly allOfKind;
  private readonly insert;
  private readonly revokeOne;
  private readonly setLastUsed;

  constructor(db: Database) {
    this.activeOfKind = db.prepare<[SecretKind], SecretRow>(`SELECT * FROM secrets WHERE kind = ? AND revoked_at IS NULL ORDER BY id`);
    this.activeNamed = db.prepare<[SecretKind, string], SecretRow>(`SELECT * FROM secrets WHERE kind = ? AND name = ? AND revoked_at IS NULL ORDER BY id`);
    this.withHash = db.prepare<[string], SecretRow>(`SELECT * FROM secrets WHERE hash = ?`);
    this.withId = db.prepare<[number], SecretRow>(`SELECT * FROM secrets WHERE id = ?`);
    this.allOfKind = db.prepare<[SecretKind], SecretRow>(`SELECT * FROM secrets WHERE kind = ? ORDER BY id`);
    this.insert = db.prepare(`
      INSERT INTO secrets (hash, name, kind, role, ai, scope, created_at, created_by, expires_at)
      VALUES (@hash, @name, @kind, @role, @ai, @scope, @createdAt, @createdBy, @expiresAt)`);
    this.revokeOne = db.prepare(`UPDATE secrets SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL`);
    this.setLastUsed = db.prepare(`UPDATE secrets SET last_used_at = ? WHERE id = ?`);
  }

  /** Not revoked (expired ones included: expiry is judged against the clock by the caller). */
  active(kind: SecretKind): SecretRow[] {
    return this.activeOfKind.all(kind);
  }

  activeNamedAs(kind: SecretKind, name: string): SecretRow[] {
    return this.activeNamed.all(kind, name);
  }

  /** Revoked rows too, so the caller can tell "revoked" from "never existed". */
  byHash(hash: string): SecretRow | undefined {
    return this.withHash.get(hash);
  }

  byId(id: number): SecretRow | undefined {
    return this.withId.get(id);
  }

  all(kind: SecretKind): SecretRow[] {
    return this.allOfKind.all(kind);
  }

  /** @returns the new row's id. */
  add(secret: NewSecret, now: Date): number {
    const info = this.insert.run({
      hash: secret.hash,
      name: secret.name,
      kind: secret.kind,
      role: secret.role ?? null,
      ai: secret.ai ? 1 : 0,
      scope: secret.scope ? JSON.stringify(secret.scope) : null,
      createdAt: now.toISOString(),
      createdBy: secret.createdBy ?? null,
      expiresAt: secret.expiresAt ?? null,
    });
    return Number(info.lastInsertRowid);
  }

  /** @returns false when it was already revoked. */
  revoke(id: number, now: Date, by?: string): boolean {
    return this.revokeOne.run(now.toISOString(), by ?? null, id).changes > 0;
  }

  touch(id: number, now: Date): void {
    this.setLastUsed.run(now.toISOString(), id);
  }
}
