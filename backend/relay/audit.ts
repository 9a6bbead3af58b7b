import { AUDIT_GENESIS_HASH, type AuditEntry, type Identity, type Origin } from '../protocol';
import { entryHash } from './audit-chain';
import type { AuditStore } from './store-audit';

/** Who did something, as the audit log records it. */
export interface Actor {
  name: string;
  role?: AuditEntry['role'];
  origin: Origin;
}

export const SYSTEM: Actor = { name: 'relay', origin: 'system' };

/** A client's identity as an actor; `origin` overrides for a person's token relaying an assistant's request. */
export function actorOf(identity: Identity, origin?: 'human' | 'ai'): Actor {
  return { name: identity.name, role: identity.role, origin: identity.ai ? 'ai' : (origin ?? 'human') };
}

export interface AuditRecord {
  actor: Actor;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
}

/**
 * The tamper-evident log: every entry hashes its content together with the previous entry's hash.
 * Appends are synchronous SQLite writes on the relay's one thread, so the chain has no races.
 */
export class AuditLog {
  private lastSeq: number;
  private lastHash: string;
  appended = 0;

  constructor(
    private readonly store: AuditStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    const newest = store.newest();
    this.lastSeq = newest?.seq ?? 0;
    this.lastHash = newest?.hash ?? AUDIT_GENESIS_HASH;
  }

  record({ actor, action, target, details }: AuditRecord): AuditEntry {
    const unhashed = {
      seq: this.lastSeq + 1,
      at: this.now().toISOString(),
      actor: actor.name,
      ...(actor.role ? { role: actor.role } : {}),
      origin: actor.origin,
      action,
      ...(target === undefined ? {} : { target }),
      // a JSON round trip, so what is hashed is exactly what the table will give back
      details: JSON.parse(JSON.stringify(details ?? {})) as Record<string, unknown>,
      prevHash: this.lastHash,
    };
    const entry: AuditEntry = { ...unhashed, hash: entryHash(unhashed) };
    this.store.append(entry);
    this.lastSeq = entry.seq;
    this.lastHash = entry.hash;
    this.appended++;
    return entry;
  }
}
