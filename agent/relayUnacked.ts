import { evidenceFrame } from './evidenceJson';
import type { EvidenceBatch } from './evidenceQueue';
import { FrameStore, type StoredFrame } from './frameStore';

export interface UnackedLimits {
  /** Evidence items held until the relay acks them; past this the oldest batches are dropped (and counted). */
  maxItems: number;
  /** The same, in bytes of the frames held. */
  maxBytes: number;
}

/**
 * The bytes bound is the one that matters (frames are held off the JS heap, see FrameStore); the items bound must
 * stay above what a busy agent holds for one ack window (~1 s): at 20,000, a logpoint at 25,000 hits/s had batches
 * that were sent and about to be acked dropped from the hold and reported to the relay as lost.
 */
export const UNACKED_LIMITS: Readonly<UnackedLimits> = { maxItems: 200_000, maxBytes: 16 * 1024 * 1024 };

interface Held {
  seq: number;
  /** The frame's bytes, outside the JS heap (see FrameStore). */
  frame: StoredFrame;
  items: number;
  /** Drops this batch reports: lost with it if it is dropped, so they are carried to the next batch. */
  dropped: number;
}

/**
 * Evidence batches sent but not yet acknowledged by the relay, numbered in one stream. Each stays until the relay
 * says it is stored, and is re-sent (same number) after a reconnect, so an outage loses nothing the bound can hold;
 * what the bound cannot hold is dropped oldest first and reported in the next batch's `dropped`, never silently.
 */
export class UnackedBatches {
  private held: Held[] = [];
  private readonly store = new FrameStore();
  private nextSeq = 1;
  private bytes = 0;
  private items = 0;
  /** Items lost to the bound, not yet reported to the relay. */
  private lost = 0;

  constructor(private readonly limits: Readonly<UnackedLimits> = UNACKED_LIMITS) {}

  /**
   * Numbers a batch, keeps its frame until acked, and returns the frame's UTF-8 bytes to send as a text frame now
   * (valid until the next call: send before adding another).
   */
  add(batch: EvidenceBatch): Buffer {
    const dropped = (batch.dropped ?? 0) + this.lost;
    this.lost = 0;
    const seq = this.nextSeq++;
    const frame = this.store.store(evidenceFrame(batch.items, dropped, seq));
    this.held.push({ seq, frame, items: batch.items.length, dropped });
    this.bytes += frame.end - frame.start;
    this.items += batch.items.length;
    // the newest batch always stays: it is the one carrying the count of what was lost
    while (this.held.length > 1 && (this.items > this.limits.maxItems || this.bytes > this.limits.maxBytes)) this.dropOldest();
    return this.store.bytes(frame);
  }

  /** The relay stored every batch up to `seq`. */
  ack(seq: number): void {
    let n = 0;
    while (n < this.held.length && this.held[n]!.seq <= seq) this.forget(this.held[n++]!);
    if (n) this.held = this.held.slice(n);
  }

  /** Frames to send again after a reconnect, oldest first (valid until the next add, ack or clear). */
  frames(): Buffer[] {
    return this.held.map((h) => this.store.bytes(h.frame));
  }

  /** The relay does not ack: nothing is held any more (what was held has just been re-sent). */
  clear(): void {
    for (const h of this.held) this.forget(h);
    this.held = [];
  }

  /** Bytes held, for flow control: the sender waits while this is high. */
  get heldBytes(): number {
    return this.bytes;
  }

  get heldBatches(): number {
    return this.held.length;
  }

  private dropOldest(): void {
    const oldest = this.held.shift()!;
    this.forget(oldest);
    this.lost += oldest.items + oldest.dropped;
  }

  private forget(held: Held): void {
    this.bytes -= held.frame.end - held.frame.start;
    this.items -= held.items;
    this.store.release(held.frame);
  }
}
