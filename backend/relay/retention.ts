import type { EvidenceStore } from './store-evidence';

export interface RetentionOptions {
  /** Evidence older than this (by relay receive time) is deleted. Default 7 days. */
  maxAgeHours?: number;
  /** At most this many evidence items are kept. Default 1,000,000. */
  maxItems?: number;
  /** How often to sweep. Default 60 s. */
  sweepIntervalMs?: number;
}

/** Rows deleted per transaction, so a big sweep does not stall evidence ingestion. */
const PRUNE_BATCH = 10_000;

/** Sweeps old evidence now and on an interval; returns the stop function. */
export function startRetention(evidence: EvidenceStore, opts: RetentionOptions, log: (line: string) => void): () => void {
  const maxAgeMs = (opts.maxAgeHours ?? 7 * 24) * 3600_000;
  const maxItems = opts.maxItems ?? 1_000_000;
  let stopped = false;
  const sweep = (): void => {
    if (stopped) return;
    let total = 0;
    for (let round = 0; round < 10; round++) {
      const deleted = evidence.prune({ olderThan: new Date(Date.now() - maxAgeMs), maxItems, batch: PRUNE_BATCH });
      total += deleted;
      if (deleted < PRUNE_BATCH) break;
    }
    if (total > 0) log(`retention: deleted ${total} evidence items`);
  };
  sweep();
  const timer = setInterval(sweep, opts.sweepIntervalMs ?? 60_000);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
