import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { RuntruthError, type AgentKeyView, type InstanceInfo, type NewAgentKey, type TokenScope } from '../protocol';
import type { Actor, AuditLog } from './audit';
import type { AuthFailureAudit } from './auth-failures';
import { activeSecretsByRef, hashSecret, tokenIdOf } from './secrets';
import type { SecretRow, SecretStore } from './store-secrets';

/** Same prefix as the bootstrap agent.key, so the log redactor and secret scanners know them. */
const AGENT_KEY_PREFIX = 'rt_agent_';

/** What an agent connection was admitted with: the key (for revocation and expiry) and its limits. */
export interface AgentGrant {
  keyId: string;
  keyName: string;
  expiresAt?: string;
}

/** Whether a key's scope covers an instance: its service listed (if services are), every scope label carried. */
export function instanceInScope(scope: TokenScope | undefined, instance: Pick<InstanceInfo, 'service' | 'labels'>): boolean {
  if (scope?.services && !scope.services.includes(instance.service)) return false;
  for (const [k, v] of Object.entries(scope?.labels ?? {})) if (instance.labels[k] !== v) return false;
  return true;
}

/**
 * Agent keys: per environment or pool, hashed, scoped, expiring. admit() decides each agent hello; create/list/
 * revoke serve the admin requests. The legacy single agent.key is an unscoped key named `default`.
 */
export class AgentKeys {
  constructor(
    private readonly deps: {
      store: SecretStore;
      audit: AuditLog;
      failures: AuthFailureAudit;
      log: (line: string) => void;
      /** Told which keys were revoked, so the agents using them are disconnected. */
      revoked: (keyIds: string[]) => void;
      /** Instances connected with a key now (for listings). */
      connectedWith?: (keyId: string) => number;
      now?: () => Date;
    },
  ) {}

  /** Refuses (RuntruthError) an unknown, revoked or expired key, or an instance outside the key's scope. */
  admit(agentKey: string, instance: InstanceInfo, remote: string): AgentGrant {
    const claimed = `${instance.service}/${instance.instanceId}`;
    const row = this.deps.store.byHash(hashSecret(agentKey));
    const now = this.now();
    const refuse = (code: 'unauthorized' | 'forbidden', reason: string, message: string): never => {
      this.deps.failures.record(remote, { endpoint: 'agent', reason, claimed, ...(row?.kind === 'agent-key' ? { keyId: tokenIdOf(row.id), key: row.name } : {}) });
      this.deps.log(`${remote}: agent refused: ${reason} agent key${row?.kind === 'agent-key' ? ` ${tokenIdOf(row.id)} '${row.name}'` : ''} (claimed ${claimed})`);
      throw new RuntruthError(code, message);
    };
    if (!row || row.kind !== 'agent-key') return refuse('unauthorized', 'unknown', 'unknown or revoked agent key');
    if (row.revoked_at !== null) return refuse('unauthorized', 'revoked', 'unknown or revoked agent key');
    if (row.expires_at !== null && Date.parse(row.expires_at) <= now.getTime()) return refuse('unauthorized', 'expired', 'agent key expired');
    const scope = scopeOf(row);
    if (!instanceInScope(scope, instance)) {
      return refuse('forbidden', 'out-of-scope', `agent key '${row.name}' may not register ${instance.service} with labels ${JSON.stringify(instance.labels)}: it is scoped to ${JSON.stringify(scope)}`);
    }
    this.deps.store.touch(row.id, now);
    return { keyId: tokenIdOf(row.id), keyName: row.name, ...(row.expires_at ? { expiresAt: row.expires_at } : {}) };
  }

  create(request: z.infer<typeof NewAgentKey>, actor: Actor): { key: AgentKeyView; secret: string } {
    const now = this.now();
    if (this.deps.store.activeNamedAs('agent-key', request.name).some((r) => !expired(r, now))) {
      throw new RuntruthError('conflict', `an agent key named '${request.name}' already exists; revoke it first or pick another name`);
    }
    const secret = AGENT_KEY_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = request.expiresInSeconds === undefined ? undefined : new Date(now.getTime() + request.expiresInSeconds * 1000).toISOString();
    const id = this.deps.store.add({ hash: hashSecret(secret), name: request.name, kind: 'agent-key', scope: request.scope, createdBy: actor.name, expiresAt }, now);
    const key = this.view(this.deps.store.byId(id)!, now);
    this.deps.audit.record({ actor, action: 'agentkey.created', target: key.id, details: { name: key.name, ...(key.scope ? { scope: key.scope } : {}), ...(key.expiresAt ? { expiresAt: key.expiresAt } : {}) } });
    this.deps.log(`agent key ${key.id} '${key.name}' created by ${actor.name}`);
    return { key, secret };
  }

  list(includeInactive = false): AgentKeyView[] {
    const now = this.now();
    const views = this.deps.store.all('agent-key').map((row) => this.view(row, now));
    return includeInactive ? views : views.filter((v) => v.state === 'active');
  }

  /** By id, or every active key with that name. The agents connected with them are disconnected. */
  revoke(ref: string, actor: Actor): AgentKeyView[] {
    const now = this.now();
    const targets = activeSecretsByRef(this.deps.store, 'agent-key', ref, 'agent key');
    const revoked: AgentKeyView[] = [];
    for (const row of targets) {
      if (!this.deps.store.revoke(row.id, now, actor.name)) continue;
      const view = this.view(this.deps.store.byId(row.id)!, now);
      revoked.push(view);
      this.deps.audit.record({ actor, action: 'agentkey.revoked', target: view.id, details: { name: view.name } });
      this.deps.log(`agent key ${view.id} '${view.name}' revoked by ${actor.name}`);
    }
    this.deps.revoked(revoked.map((v) => v.id));
    return revoked;
  }

  private view(row: SecretRow, now: Date): AgentKeyView {
    const scope = scopeOf(row);
    const state = row.revoked_at !== null ? 'revoked' : expired(row, now) ? 'expired' : 'active';
    const id = tokenIdOf(row.id);
    return {
      id,
      name: row.name,
      kind: 'agent',
      ...(scope ? { scope } : {}),
      state,
      createdAt: row.created_at,
      ...(row.created_by ? { createdBy: row.created_by } : {}),
      ...(row.expires_at ? { expiresAt: row.expires_at } : {}),
      ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
      ...(row.revoked_by ? { revokedBy: row.revoked_by } : {}),
      ...(row.last_used_at ? { lastUsedAt: row.last_used_at } : {}),
      ...(this.deps.connectedWith ? { connected: this.deps.connectedWith(id) } : {}),
    };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

function expired(row: SecretRow, now: Date): boolean {
  return row.expires_at !== null && Date.parse(row.expires_at) <= now.getTime();
}

function scopeOf(row: SecretRow): TokenScope | undefined {
  return row.scope ? (JSON.parse(row.scope) as TokenScope) : undefined; // written by SecretStore.add from a validated scope
}
