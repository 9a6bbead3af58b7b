import type { Evidence } from '../protocol';
import type { Link } from './connection';

export interface OutboxLimits {
  /** Evidence items waiting to be sent to one client; beyond this the oldest are dropped. */
  maxQueuedItems: number;
  /** Stop writing to the socket while this many bytes are still unsent. */
  maxBufferedBytes: number;
  /** Largest evidence frame to build (the client refuses frames above MAX_FRAME_BYTES). */
  maxFrameBytes: number;
}

/** Items taken from the queue per round, so a long queue does not hold the event loop. */
const SLICE = 1000;
const BLOCKED_POLL_MS = 20;

/**
 * One client's outgoing evidence. Items are batched per tick into `evidence` frames per subscription. A client
 * that reads slower than evidence arrives never slows the relay: past the limit, the oldest queued items are
 * dropped and the client gets a `gap` (where: 'client-queue') in their place.
 */
export class EvidenceOutbox {
  private queue: { subscription: string; item: Evidence }[] = [];
  private head = 0;
  private readonly dropped = new Map<string, number>();
  private scheduled = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly link: Pick<Link, 'sendRaw' | 'bufferedAmount' | 'isOpen'>,
    private readonly limits: OutboxLimits,
    private readonly hooks: { room(): void; dropped(count: number): void },
  ) {}

  get size(): number {
    return this.queue.length - this.head;
  }

  /** Whether `count` more items can be queued without dropping any (catch-up replays ask before reading). */
  hasRoomFor(count: number): boolean {
    return this.size + count <= this.limits.maxQueuedItems && this.link.bufferedAmount < this.limits.maxBufferedBytes;
  }

  enqueue(subscription: string, items: readonly Evidence[]): void {
    if (this.closed || items.length === 0) return;
    for (const item of items) this.queue.push({ subscription, item });
    const overflow = this.size - this.limits.maxQueuedItems;
    if (overflow > 0) {
      for (let i = 0; i < overflow; i++) {
        const { subscription: sub } = this.queue[this.head++];
        this.dropped.set(sub, (this.dropped.get(sub) ?? 0) + 1);
      }
      this.compact();
      this.hooks.dropped(overflow);
    }
    this.schedule();
  }

  /** Discards everything queued for a subscription that ended. */
  forget(subscription: string): void {
    this.queue = this.queue.slice(this.head).filter((e) => e.subscription !== subscription);
    this.head = 0;
    this.dropped.delete(subscription);
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    this.head = 0;
    this.dropped.clear();
    clearTimeout(this.pollTimer);
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.closed || !this.link.isOpen) return;
    while (this.size > 0 || this.dropped.size > 0) {
      if (this.link.bufferedAmount >= this.limits.maxBufferedBytes) return this.waitForDrain();
      const batches = this.takeSlice();
      const subscriptions = [...batches.keys()];
      subscriptions.forEach((sub, i) => {
        // the socket tells us when the last frame is written: that is when to look at the queue again
        const last = i === subscriptions.length - 1;
        this.sendBatch(sub, batches.get(sub) ?? [], last ? () => this.schedule() : undefined);
      });
    }
    if (this.hasRoomFor(1)) this.hooks.room();
  }

  /** Up to SLICE items grouped by subscription, each group led by a gap marker if its items were dropped. */
  private takeSlice(): Map<string, string[]> {
    const batches = new Map<string, string[]>();
    const at = new Date().toISOString();
    for (const [sub, count] of this.dropped) {
      batches.set(sub, [JSON.stringify({ kind: 'gap', at, count, where: 'client-queue' } satisfies Evidence)]);
    }
    this.dropped.clear();
    const end = Math.min(this.queue.length, this.head + SLICE);
    for (; this.head < end; this.head++) {
      const { subscription, item } = this.queue[this.head];
      const batch = batches.get(subscription) ?? [];
      batch.push(JSON.stringify(item));
      batches.set(subscription, batch);
    }
    this.compact();
    return batches;
  }

  /** Sends one subscription's items in as few frames as fit under the frame limit. */
  private sendBatch(subscription: string, items: string[], onLastWritten?: () => void): void {
    const prefix = `{"type":"evidence","subscription":${JSON.stringify(subscription)},"items":[`;
    const budget = this.limits.maxFrameBytes - Buffer.byteLength(prefix) - 2;
    let frame: string[] = [];
    let bytes = 0;
    const emit = (isLast: boolean) => {
      if (frame.length) this.link.sendRaw(`${prefix}${frame.join(',')}]}`, isLast ? onLastWritten : undefined);
      frame = [];
      bytes = 0;
    };
    for (const json of items) {
      const size = Buffer.byteLength(json) + 1;
      if (frame.length > 0 && bytes + size > budget) emit(false);
      frame.push(json);
      bytes += size;
    }
    emit(true);
  }

  private waitForDrain(): void {
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => this.schedule(), BLOCKED_POLL_MS);
    this.pollTimer.unref();
  }

  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
