import type { AgentReports } from './agents';
import type { UnstoredEvidence } from './evidence-filter';
import type { RelayStats } from './stats';
import type { EvidenceStore } from './store-evidence';

/**
 * Group commit for agent evidence: every batch that arrives in one event-loop turn (from any number of
 * agents) is stored in one SQLite transaction, then published. A commit per agent frame was the relay's
 * main cost under load; this keeps "stored before published" and the store's id order.
 */
export class EvidenceIngest {
  private pending: UnstoredEvidence[] = [];
  private scheduled = false;

  constructor(
    private readonly deps: {
      evidence: EvidenceStore;
      reports: Pick<AgentReports, 'evidence'>;
      stats: RelayStats;
      now?: () => Date;
    },
  ) {}

  add(batch: readonly UnstoredEvidence[]): void {
    for (const item of batch) this.pending.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Stores and publishes what is pending; also called at shutdown, before the store closes. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const stored = this.deps.evidence.append(batch, this.deps.now?.() ?? new Date());
    this.deps.stats.evidenceStored += stored.length;
    this.deps.reports.evidence(stored);
  }
}
