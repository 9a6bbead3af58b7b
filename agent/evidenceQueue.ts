import { approximateChars, type QueuedEvidence } from './evidenceJson';

export interface EvidenceLimits {
  maxQueued: number;
  maxBatchItems: number;
  maxBatchChars: number;
  flushIntervalMs: number;
}

export const EVIDENCE_LIMITS: Readonly<EvidenceLimits> = {
  /** Items held while the relay is slow or away; past this the oldest are dropped (and counted). */
  maxQueued: 10_000,
  /** A batch is sent at this many items, or after flushIntervalMs, whichever comes first. */
  maxBatchItems: 500,
  /** Keeps each frame well under the protocol's 1 MiB frame limit. */
  maxBatchChars: 512 * 1024,
  flushIntervalMs: 100,
};

export interface EvidenceBatch {
  items: QueuedEvidence[];
  /** Items dropped since the previous batch. */
  dropped?: number;
}

/**
 * A bounded FIFO of evidence waiting to be sent, cut into batches. Dropping the oldest keeps the newest
 * (most relevant) evidence and bounds memory however long the relay is away.
 */
export class EvidenceQueue {
  private items: QueuedEvidence[] = [];
  private head = 0;
  private dropped = 0;

  constructor(private readonly limits: Readonly<EvidenceLimits> = EVIDENCE_LIMITS) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: QueuedEvidence): void {
    if (this.size >= this.limits.maxQueued) {
      this.head++;
      this.dropped++;
    }
    this.items.push(item);
    this.compact();
  }

  /** Counts items lost before they reached this queue (e.g. the main thread's own buffer overflowed). */
  addDropped(count: number): void {
    this.dropped += count;
  }

  get full(): boolean {
    return this.size >= this.limits.maxBatchItems;
  }

  /** Takes the next batch, or undefined when empty. Drops without items wait for the next item (a batch is never empty). */
  takeBatch(): EvidenceBatch | undefined {
    if (this.size === 0) return undefined;
    const items: QueuedEvidence[] = [];
    let chars = 0;
    while (this.head < this.items.length && items.length < this.limits.maxBatchItems) {
      const next = this.items[this.head]!;
      chars += approximateChars(next);
      if (items.length && chars > this.limits.maxBatchChars) break;
      items.push(next);
      this.head++;
    }
    this.compact();
    const batch: EvidenceBatch = this.dropped ? { items, dropped: this.dropped } : { items };
    this.dropped = 0;
    return batch;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
