import type { RelayStats } from './stats';
import type { EvidenceStore } from './store-evidence';

export interface RetentionOptions {
  /** Evidence older than this (by relay receive time) is deleted. Default 7 days. */
  maxAgeHours?: number;
  /** At most this many evidence items are kept. Default 1,000,000. */
  maxItems?: number;
  /** At most this many bytes of evidence (its stored JSON) are kept; the oldest go first. Default: no cap. */
  maxBytes?: number;
  /** How often to sweep. Default 60 s. */
  sweepIntervalMs?: number;
}

/** Rows deleted per transaction, so a big sweep does not stall evidence ingestion. */
const PRUNE_BATCH = 10_000;

/** Sweeps old evidence now and on an interval; returns the stop function. Deletions are counted by the limit that asked for them. */
export function startRetention(evidence: EvidenceStore, opts: RetentionOptions, log: (line: string) => void, stats?: RelayStats): () => void {
  const maxAgeMs = (opts.maxAgeHours ?? 7 * 24) * 3600_000;
  const maxItems = opts.maxItems ?? 1_000_000;
  let stopped = false;
  const sweep = (): void => {
    if (stopped) return;
    const deleted = { age: 0, items: 0, bytes: 0 };
    for (let round = 0; round < 10; round++) {
      const result = evidence.prune({ olderThan: new Date(Date.now() - maxAgeMs), maxItems, maxBytes: opts.maxBytes, batch: PRUNE_BATCH });
      if (result.reason) deleted[result.reason] += result.deleted;
      if (result.deleted < PRUNE_BATCH) break;
    }
    const total = deleted.age + deleted.items + deleted.bytes;
    if (total === 0) return;
    if (stats) for (const reason of ['age', 'items', 'bytes'] as const) stats.evidencePruned[reason] += deleted[reason];
    const why = Object.entries(deleted).filter(([, n]) => n > 0).map(([reason, n]) => `${n} by ${reason}`).join(', ');
    log(`retention: deleted ${total} evidence items (${why})`);
  };
  sweep();
  const timer = setInterval(sweep, opts.sweepIntervalMs ?? 60_000);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
