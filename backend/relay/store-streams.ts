import type { Database } from 'better-sqlite3';

/** One agent batch that was received and is to be remembered as stored, in the same transaction as its items. */
export interface BatchReceipt {
  instanceId: string;
  /** The agent's evidence stream and the batch's number in it; absent for agents that do not sequence. */
  stream?: string;
  seq?: number;
  /** Items the agent said it dropped before this batch. */
  dropped: number;
}

/**
 * Where each agent evidence stream got to (the newest stored batch) and how much each instance dropped.
 * Written only inside the evidence transaction, so "stored" and "remembered as stored" cannot disagree.
 */
export class EvidenceStreamStore {
  private readonly readSeq;
  private readonly upsertSeq;
  private readonly deleteOthers;
  private readonly addDropped;

  constructor(db: Database) {
    this.readSeq = db.prepare<[string, string], { last_seq: number }>(`SELECT last_seq FROM evidence_streams WHERE instance_id = ? AND stream = ?`);
    this.upsertSeq = db.prepare(`
      INSERT INTO evidence_streams (instance_id, stream, last_seq, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (instance_id, stream) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq), updated_at = excluded.updated_at`);
    this.deleteOthers = db.prepare(`DELETE FROM evidence_streams WHERE instance_id = ? AND stream <> ?`);
    this.addDropped = db.prepare(`UPDATE instances SET evidence_dropped = evidence_dropped + ? WHERE instance_id = ?`);
  }

  /** The newest batch stored from this stream (0: none). */
  lastSeq(instanceId: string, stream: string): number {
    return this.readSeq.get(instanceId, stream)?.last_seq ?? 0;
  }

  /** A new stream for an instance means its previous process is gone: its positions are no longer needed. */
  forgetOtherStreams(instanceId: string, stream: string): void {
    this.deleteOthers.run(instanceId, stream);
  }

  /** Call inside the transaction that stores the receipts' items. One write per stream and per dropping instance. */
  record(receipts: readonly BatchReceipt[], now: Date): void {
    const newest = new Map<string, BatchReceipt>();
    const dropped = new Map<string, number>();
    for (const r of receipts) {
      if (r.stream !== undefined && r.seq !== undefined) {
        const key = `${r.instanceId}\u0000${r.stream}`;
        if ((newest.get(key)?.seq ?? 0) < r.seq) newest.set(key, r);
      }
      if (r.dropped > 0) dropped.set(r.instanceId, (dropped.get(r.instanceId) ?? 0) + r.dropped);
    }
    for (const r of newest.values()) this.upsertSeq.run(r.instanceId, r.stream, r.seq, now.getTime());
    for (const [instanceId, count] of dropped) this.addDropped.run(count, instanceId);
  }
}
