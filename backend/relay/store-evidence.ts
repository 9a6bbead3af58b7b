import type { Database, Statement } from 'better-sqlite3';
import type { EvidenceFilter, StoredEvidence, UnstoredEvidence } from './evidence-filter';

/** Items per INSERT statement (7 parameters each: well under SQLite's limit of 32,766). */
const INSERT_CHUNK = 64;

interface EvidenceRow {
  id: number;
  json: string;
}

/** Why retention deleted items: the oldest were past the age limit, beyond the item cap, or beyond the byte cap. */
export type PruneReason = 'age' | 'items' | 'bytes';

export interface PruneLimits {
  olderThan: Date;
  maxItems: number;
  /** Cap on the stored evidence JSON, in bytes (indexes and free pages come on top in the file). */
  maxBytes?: number;
  /** Rows deleted per call (one transaction). */
  batch: number;
}

/** The evidence log: append in batches, read in id order, prune by age, count and size. */
export class EvidenceStore {
  /** Multi-row inserts by row count: one statement per INSERT_CHUNK items (the per-statement call was a third of the cost). */
  private readonly insert: (rows: number) => Statement;
  private readonly inserts = new Map<number, Statement>();
  private readonly lastAssigned;
  private readonly readMeta;
  private readonly writeMeta;
  private readonly newestReceivedBefore;
  private readonly oldestUpTo;
  private readonly deleteUpTo;
  private readonly bytesUpTo;
  private readonly oldestSizes;
  private readonly addBytes;
  private readonly pageCache = new Map<string, Statement<Record<string, unknown>, EvidenceRow>>();

  constructor(private readonly db: Database) {
    this.insert = (rows: number) => {
      let statement = this.inserts.get(rows);
      if (!statement) {
        const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
        this.inserts.set(rows, (statement = db.prepare(`INSERT INTO evidence (probe_id, service, instance, kind, at, received_at, json) VALUES ${values}`)));
      }
      return statement;
    };
    // sqlite_sequence, not MAX(id): it survives pruning every row
    this.lastAssigned = db.prepare<[], { seq: number }>(`SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'evidence'), 0) AS seq`);
    this.readMeta = db.prepare<[string], { value: string }>(`SELECT value FROM meta WHERE key = ?`);
    this.writeMeta = db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
    this.newestReceivedBefore = db.prepare<[number], { id: number | null }>(`SELECT MAX(id) AS id FROM evidence WHERE received_at < ?`);
    this.oldestUpTo = db.prepare<[number, number], { id: number }>(`SELECT id FROM evidence WHERE id <= ? ORDER BY id LIMIT ?`);
    this.deleteUpTo = db.prepare(`DELETE FROM evidence WHERE id <= ?`);
    this.bytesUpTo = db.prepare<[number], { bytes: number }>(`SELECT COALESCE(SUM(length(CAST(json AS BLOB))), 0) AS bytes FROM evidence WHERE id <= ?`);
    this.oldestSizes = db.prepare<[number, number], { id: number; bytes: number }>(
      `SELECT id, length(CAST(json AS BLOB)) AS bytes FROM evidence WHERE id > ? ORDER BY id LIMIT ?`,
    );
    // the running total lives in the same transactions as the rows, so it survives restarts and crashes exactly
    this.addBytes = db.prepare(
      `INSERT INTO meta (key, value) VALUES ('evidence_bytes', CAST(MAX(0, ?) AS TEXT))
       ON CONFLICT (key) DO UPDATE SET value = CAST(MAX(0, CAST(value AS INTEGER) + ?) AS TEXT)`,
    );
  }

  /** Stores a batch in one transaction and returns the items with their ids, in order. */
  append(items: readonly UnstoredEvidence[], now: Date): StoredEvidence[] {
    const receivedAt = now.getTime();
    // inside the ingest's transaction already (the usual case): a nested one would cost a SAVEPOINT and RELEASE
    const run = <T>(fn: () => T): T => (this.db.inTransaction ? fn() : this.db.transaction(fn)());
    return run(() => {
      let bytes = 0;
      const stored: StoredEvidence[] = [];
      for (let from = 0; from < items.length; from += INSERT_CHUNK) {
        const chunk = items.slice(from, from + INSERT_CHUNK);
        const params: unknown[] = [];
        for (const item of chunk) {
          const json = JSON.stringify(item);
          bytes += Buffer.byteLength(json);
          params.push(item.probeId ?? null, item.service, item.instance, item.kind, item.at, receivedAt, json);
        }
        // one statement, one writer: AUTOINCREMENT gives its rows consecutive ids, ending at the last one
        const last = Number(this.insert(chunk.length).run(params).lastInsertRowid);
        chunk.forEach((item, i) => stored.push({ id: last - chunk.length + 1 + i, ...item } as StoredEvidence));
      }
      if (bytes > 0) this.addBytes.run(bytes, bytes);
      return stored;
    });
  }

  /** Bytes of evidence JSON stored now. */
  storedBytes(): number {
    return Number(this.readMeta.get('evidence_bytes')?.value ?? 0);
  }

  /**
   * Items with id > afterId matching the filter, oldest first. With `maxBytes`, the page stops before the items'
   * JSON would exceed it (always at least one item): a page of snapshots must still fit one frame.
   */
  after(afterId: number, filter: EvidenceFilter, limit: number, maxBytes = Infinity): StoredEvidence[] {
    // only the parameters the statement names: better-sqlite3 rejects undefined bindings
    const params: Record<string, unknown> = { afterId, limit };
    if (filter.probeId !== undefined) params.probeId = filter.probeId;
    if (filter.probeService !== undefined) params.probeService = filter.probeService;
    if (filter.service !== undefined) params.service = filter.service;
    if (filter.scope?.services) params.scopeServices = JSON.stringify(filter.scope.services);
    if (hasScopeLabels(filter)) params.scopeLabels = JSON.stringify(filter.scope!.labels);
    const rows = this.pageStatement(filter).all(params);
    let bytes = 0;
    const fitting = maxBytes === Infinity ? rows : rows.filter((r, i) => (bytes += Buffer.byteLength(r.json) + 16) <= maxBytes || i === 0);
    return fitting.map((r) => ({ id: r.id, ...JSON.parse(r.json) }) as StoredEvidence); // written by append()
  }

  lastId(): number {
    return this.lastAssigned.get()?.seq ?? 0;
  }

  /** Highest id retention has deleted: a resume from below it has lost items. */
  prunedThrough(): number {
    return Number(this.readMeta.get('evidence_pruned_through')?.value ?? 0);
  }

  /**
   * Deletes at most `batch` of the oldest items that are too old, beyond `maxItems` or beyond `maxBytes`; returns
   * how many, and which limit asked for the most (oldest first always: ids are deleted as one prefix).
   */
  prune(opts: PruneLimits): { deleted: number; reason?: PruneReason } {
    return this.db.transaction(() => {
      const prunedThrough = this.prunedThrough();
      const cutoffs: [PruneReason, number][] = [
        ['age', this.newestReceivedBefore.get(opts.olderThan.getTime())?.id ?? 0],
        ['items', this.lastId() - opts.maxItems],
        ['bytes', opts.maxBytes === undefined ? 0 : this.bytesCutoff(prunedThrough, opts.maxBytes, opts.batch)],
      ];
      const [reason, cutoff] = cutoffs.reduce((a, b) => (b[1] > a[1] ? b : a));
      if (cutoff <= prunedThrough) return { deleted: 0 };
      const doomed = this.oldestUpTo.all(cutoff, opts.batch);
      if (doomed.length === 0) return { deleted: 0 };
      const through = doomed[doomed.length - 1].id;
      const bytes = this.bytesUpTo.get(through)?.bytes ?? 0;
      const deleted = this.deleteUpTo.run(through).changes;
      this.addBytes.run(-bytes, -bytes);
      this.writeMeta.run('evidence_pruned_through', String(through));
      return { deleted, reason };
    })();
  }

  /** The id through which the oldest items must go to bring the store under `maxBytes` (looking at most `batch` rows ahead). */
  private bytesCutoff(prunedThrough: number, maxBytes: number, batch: number): number {
    let excess = this.storedBytes() - maxBytes;
    if (excess <= 0) return 0;
    let cutoff = 0;
    for (const row of this.oldestSizes.iterate(prunedThrough, batch)) {
      cutoff = row.id;
      excess -= row.bytes;
      if (excess <= 0) break;
    }
    return cutoff;
  }

  private pageStatement(filter: EvidenceFilter): Statement<Record<string, unknown>, EvidenceRow> {
    const key = `${filter.probeId !== undefined}/${filter.probeService !== undefined}/${filter.service !== undefined}/${!!filter.scope?.services}/${hasScopeLabels(filter)}`;
    let stmt = this.pageCache.get(key);
    if (!stmt) {
      const where = ['id > @afterId'];
      if (filter.probeId !== undefined) {
        where.push(filter.probeService !== undefined ? `(probe_id = @probeId OR (probe_id IS NULL AND service = @probeService))` : `probe_id = @probeId`);
      }
      if (filter.service !== undefined) where.push('service = @service');
      if (filter.scope?.services) where.push(`service IN (SELECT value FROM json_each(@scopeServices))`);
      if (hasScopeLabels(filter)) {
        where.push(`instance IN (SELECT i.instance_id FROM instances i WHERE NOT EXISTS (
          SELECT 1 FROM json_each(@scopeLabels) l WHERE json_extract(i.info, '$.labels."' || l.key || '"') IS NOT l.value))`);
      }
      stmt = this.db.prepare<Record<string, unknown>, EvidenceRow>(`SELECT id, json FROM evidence WHERE ${where.join(' AND ')} ORDER BY id LIMIT @limit`);
      this.pageCache.set(key, stmt);
    }
    return stmt;
  }
}

function hasScopeLabels(filter: EvidenceFilter): boolean {
  return Object.keys(filter.scope?.labels ?? {}).length > 0;
}
