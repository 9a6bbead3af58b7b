import type { AgentReports } from './agents';
import type { UnstoredEvidence } from './evidence-filter';
import type { RelayStats } from './stats';
import type { EvidenceStore } from './store-evidence';
import type { BatchReceipt, EvidenceStreamStore } from './store-streams';

/** A received agent batch: remembered as stored with its items, then acknowledged. */
export interface Receipt extends BatchReceipt {
  /** Called after the transaction holding the batch committed (never before, never if it failed). */
  committed?: () => void;
  /**
   * Receipts with the same key (one agent connection) are acknowledged cumulatively: after a commit only the
   * newest of them is called back. A relay that falls behind thus sends fewer acks, not more.
   */
  ackKey?: object;
}

/**
 * Group commit for agent evidence: every batch that arrives in one event-loop turn (from any number of
 * agents) is stored in one SQLite transaction, then published, then acknowledged. A commit per agent frame was
 * the relay's main cost under load; this keeps "stored before published (and before acked)" and the store's id order.
 */
export class EvidenceIngest {
  private pending: UnstoredEvidence[] = [];
  private receipts: Receipt[] = [];
  private scheduled = false;

  constructor(
    private readonly deps: {
      evidence: EvidenceStore;
      /** Stream positions and drop counts, written in the evidence transaction. Absent: receipts are only acked. */
      streams?: EvidenceStreamStore;
      /** One transaction around the items and the receipts. */
      transaction?: <T>(fn: () => T) => T;
      reports: Pick<AgentReports, 'evidence'>;
      stats: RelayStats;
      now?: () => Date;
    },
  ) {}

  add(batch: readonly UnstoredEvidence[], receipt?: Receipt): void {
    for (const item of batch) this.pending.push(item);
    if (receipt) this.receipts.push(receipt);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Stores and publishes what is pending; also called at shutdown and when an agent leaves, before the store moves on. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 && this.receipts.length === 0) return;
    const batch = this.pending;
    const receipts = this.receipts;
    this.pending = [];
    this.receipts = [];
    const now = this.deps.now?.() ?? new Date();
    const commit = () => {
      const stored = batch.length ? this.deps.evidence.append(batch, now) : [];
      this.deps.streams?.record(receipts, now);
      return stored;
    };
    const stored = this.deps.transaction ? this.deps.transaction(commit) : commit();
    this.deps.stats.evidenceStored += stored.length;
    if (stored.length) this.deps.reports.evidence(stored);
    for (const r of newestPerKey(receipts)) r.committed?.();
  }
}

/** The receipts to call back: every keyless one, and the last one of each key (acks are cumulative). */
function newestPerKey(receipts: readonly Receipt[]): Receipt[] {
  if (receipts.length < 2) return receipts as Receipt[];
  const last = new Map<object, Receipt>();
  for (const r of receipts) if (r.ackKey) last.set(r.ackKey, r);
  return receipts.filter((r) => !r.ackKey || last.get(r.ackKey) === r);
}
