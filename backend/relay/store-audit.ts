import type { Database } from 'better-sqlite3';
import type { AuditEntry } from '../protocol';

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  role: string | null;
  origin: string;
  action: string;
  target: string | null;
  details: string;
  prev_hash: string;
  hash: string;
}

/** The audit table: append-only by convention of every caller (nothing here updates or deletes). */
export class AuditStore {
  private readonly insert;
  private readonly newestRow;
  private readonly page;
  private readonly tail;
  private readonly count;

  constructor(db: Database) {
    this.insert = db.prepare(`
      INSERT INTO audit (seq, at, actor, role, origin, action, target, details, prev_hash, hash)
      VALUES (@seq, @at, @actor, @role, @origin, @action, @target, @details, @prevHash, @hash)`);
    this.newestRow = db.prepare<[], AuditRow>(`SELECT * FROM audit ORDER BY seq DESC LIMIT 1`);
    this.page = db.prepare<[number, number], AuditRow>(`SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.tail = db.prepare<[number], AuditRow>(`SELECT * FROM (SELECT * FROM audit ORDER BY seq DESC LIMIT ?) ORDER BY seq`);
    this.count = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM audit`);
  }

  append(entry: AuditEntry): void {
    this.insert.run({ ...entry, role: entry.role ?? null, target: entry.target ?? null, details: JSON.stringify(entry.details) });
  }

  newest(): AuditEntry | undefined {
    const row = this.newestRow.get();
    return row && toEntry(row);
  }

  after(seq: number, limit: number): AuditEntry[] {
    return this.page.all(seq, limit).map(toEntry);
  }

  last(limit: number): AuditEntry[] {
    return this.tail.all(limit).map(toEntry);
  }

  size(): number {
    return this.count.get()?.n ?? 0;
  }
}

/**
 * Rows are read back as stored, without validation: verification must see exactly what is in the table,
 * tampered or not. (A row too damaged to parse shows as details `{ unreadable: ... }` and fails its hash.)
 */
function toEntry(row: AuditRow): AuditEntry {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(row.details) as Record<string, unknown>;
  } catch {
    details = { unreadable: row.details.slice(0, 200) };
  }
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    ...(row.role === null ? {} : { role: row.role as AuditEntry['role'] }),
    origin: row.origin as AuditEntry['origin'],
    action: row.action,
    ...(row.target === null ? {} : { target: row.target }),
    details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
