import { createHash } from 'node:crypto';
import { AUDIT_GENESIS_HASH, type AuditEntry } from '../protocol';

/**
 * JSON with object keys sorted at every level and no whitespace: the same entry always hashes the same,
 * whichever process wrote it and in whatever order its fields were built. Undefined fields are left out.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** The hash an entry must carry: over every field but `hash` itself. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const { seq, at, actor, role, origin, action, target, details, prevHash } = entry;
  return createHash('sha256').update(canonicalJson({ seq, at, actor, role, origin, action, target, details, prevHash }), 'utf8').digest('hex');
}

export interface ChainBreak {
  seq: number;
  reason: string;
}

/**
 * Checks entries in order, fed in pages (the log can be long). The first break is the entry an attacker
 * touched (or the one after a deleted entry); everything before it is intact.
 */
export class ChainVerifier {
  private prevHash = AUDIT_GENESIS_HASH;
  private prevSeq = 0;
  checked = 0;
  broken: ChainBreak | undefined;

  feed(entries: readonly AuditEntry[]): void {
    for (const entry of entries) {
      if (this.broken) return;
      this.check(entry);
      this.checked++;
      this.prevHash = entry.hash;
      this.prevSeq = entry.seq;
    }
  }

  /** The hash of the newest entry checked: record it elsewhere to detect truncation of the tail later. */
  get head(): string {
    return this.prevHash;
  }

  private check(entry: AuditEntry): void {
    if (entry.seq !== this.prevSeq + 1) {
      this.broken = { seq: entry.seq, reason: `expected entry ${this.prevSeq + 1} next, found ${entry.seq} (entries missing or reordered)` };
    } else if (entry.prevHash !== this.prevHash) {
      this.broken = { seq: entry.seq, reason: `prevHash does not match the hash of entry ${this.prevSeq} (an entry before it was replaced or removed)` };
    } else if (entryHash(entry) !== entry.hash) {
      this.broken = { seq: entry.seq, reason: 'contents do not match its hash (the entry was modified)' };
    }
  }
}
