import { randomBytes } from 'node:crypto';
import { RuntruthError, type NewToken, type TokenView } from '../protocol';
import type { z } from 'zod';
import type { Actor, AuditLog } from './audit';
import { activeSecretsByRef, hashSecret, identityOf, tokenIdOf } from './secrets';
import type { SecretRow, SecretStore } from './store-secrets';

/** Generated tokens are recognisable (secret scanners, the log redactor) and carry 256 random bits. */
const TOKEN_PREFIX = 'rt_tok_';

/** Creating, listing and revoking client tokens. Secrets leave here once, in create()'s result, and nowhere else. */
export class TokenService {
  constructor(
    private readonly deps: {
      store: SecretStore;
      audit: AuditLog;
      log: (line: string) => void;
      /** Told which tokens were revoked, so their open sessions can be closed. */
      revoked: (tokenIds: string[]) => void;
      now?: () => Date;
    },
  ) {}

  create(request: z.infer<typeof NewToken>, actor: Actor): { token: TokenView; secret: string } {
    const now = this.now();
    if (this.usable(now).some((row) => row.name === request.name)) {
      throw new RuntruthError('conflict', `a token named '${request.name}' already exists; revoke it first or pick another name`);
    }
    const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = request.expiresInSeconds === undefined ? undefined : new Date(now.getTime() + request.expiresInSeconds * 1000).toISOString();
    const id = this.deps.store.add(
      { hash: hashSecret(secret), name: request.name, kind: 'token', role: request.role, ai: request.ai, scope: request.scope, createdBy: actor.name, expiresAt },
      now,
    );
    const token = this.view(this.deps.store.byId(id)!, now);
    this.deps.audit.record({ actor, action: 'token.created', target: token.id, details: describe(token) });
    this.deps.log(`token ${token.id} '${token.name}' (${token.role}${token.ai ? ', ai' : ''}) created by ${actor.name}`);
    return { token, secret };
  }

  list(includeInactive = false): TokenView[] {
    const now = this.now();
    const views = this.deps.store.all('token').map((row) => this.view(row, now));
    return includeInactive ? views : views.filter((v) => v.state === 'active');
  }

  /** By id, or every active token with that name. Refuses to leave the relay without a person who can administer it. */
  revoke(ref: string, actor: Actor): TokenView[] {
    const now = this.now();
    const targets = activeSecretsByRef(this.deps.store, 'token', ref, 'token');
    const doomed = new Set(targets.map((r) => r.id));
    const adminsLeft = this.usable(now).filter((r) => r.role === 'admin' && !r.ai && !r.scope && !doomed.has(r.id));
    if (targets.some((r) => r.role === 'admin') && adminsLeft.length === 0) {
      throw new RuntruthError('conflict', 'that would leave no unscoped human admin token; create another admin token first');
    }
    const revoked: TokenView[] = [];
    for (const row of targets) {
      if (!this.deps.store.revoke(row.id, now, actor.name)) continue;
      const view = this.view(this.deps.store.byId(row.id)!, now);
      revoked.push(view);
      this.deps.audit.record({ actor, action: 'token.revoked', target: view.id, details: { name: view.name, role: view.role } });
      this.deps.log(`token ${view.id} '${view.name}' revoked by ${actor.name}`);
    }
    this.deps.revoked(revoked.map((v) => v.id));
    return revoked;
  }

  /** `tok-7` names one token; anything else is a name, matching every active token that carries it. */

  private usable(now: Date): SecretRow[] {
    return this.deps.store.active('token').filter((r) => r.expires_at === null || Date.parse(r.expires_at) > now.getTime());
  }

  private view(row: SecretRow, now: Date): TokenView {
    const identity = identityOf(row);
    const state = row.revoked_at !== null ? 'revoked' : row.expires_at !== null && Date.parse(row.expires_at) <= now.getTime() ? 'expired' : 'active';
    return {
      id: tokenIdOf(row.id),
      name: row.name,
      role: identity.role,
      ai: row.ai === 1,
      ...(identity.scope ? { scope: identity.scope } : {}),
      state,
      createdAt: row.created_at,
      ...(row.created_by ? { createdBy: row.created_by } : {}),
      ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
      ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
      ...(row.revoked_by ? { revokedBy: row.revoked_by } : {}),
      ...(row.last_used_at ? { lastUsedAt: row.last_used_at } : {}),
    };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

function describe(token: TokenView): Record<string, unknown> {
  return { name: token.name, role: token.role, ai: token.ai, ...(token.scope ? { scope: token.scope } : {}), ...(token.expiresAt ? { expiresAt: token.expiresAt } : {}) };
}
