import type { AgentToRelay } from '../backend/protocol/messages';

type EvidenceMsg = Extract<AgentToRelay, { type: 'evidence' }>;

export interface UnackedLimits {
  /** Evidence items held until the relay acks them; past this the oldest batches are dropped (and counted). */
  maxItems: number;
  /** The same, in characters of the frames held. */
  maxChars: number;
}

export const UNACKED_LIMITS: Readonly<UnackedLimits> = { maxItems: 20_000, maxChars: 16 * 1024 * 1024 };

interface Held {
  seq: number;
  frame: string;
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
  private nextSeq = 1;
  private chars = 0;
  private items = 0;
  /** Items lost to the bound, not yet reported to the relay. */
  private lost = 0;

  constructor(private readonly limits: Readonly<UnackedLimits> = UNACKED_LIMITS) {}

  /** Numbers a batch, keeps its frame until acked, and returns the frame to send. */
  add(msg: EvidenceMsg): string {
    const dropped = (msg.dropped ?? 0) + this.lost;
    this.lost = 0;
    const numbered: EvidenceMsg = { type: 'evidence', items: msg.items, ...(dropped ? { dropped } : {}), seq: this.nextSeq++ };
    const frame = JSON.stringify(numbered);
    this.held.push({ seq: numbered.seq!, frame, items: msg.items.length, dropped });
    this.chars += frame.length;
    this.items += msg.items.length;
    // the newest batch always stays: it is the one carrying the count of what was lost
    while (this.held.length > 1 && (this.items > this.limits.maxItems || this.chars > this.limits.maxChars)) this.dropOldest();
    return frame;
  }

  /** The relay stored every batch up to `seq`. */
  ack(seq: number): void {
    let n = 0;
    while (n < this.held.length && this.held[n]!.seq <= seq) {
      this.chars -= this.held[n]!.frame.length;
      this.items -= this.held[n]!.items;
      n++;
    }
    if (n) this.held = this.held.slice(n);
  }

  /** Frames to send again after a reconnect, oldest first. */
  frames(): string[] {
    return this.held.map((h) => h.frame);
  }

  /** The relay does not ack: nothing is held any more (what was held has just been re-sent). */
  clear(): void {
    this.held = [];
    this.chars = this.items = 0;
  }

  /** Characters held, for flow control: the sender waits while this is high. */
  get heldChars(): number {
    return this.chars;
  }

  get heldBatches(): number {
    return this.held.length;
  }

  private dropOldest(): void {
    const oldest = this.held.shift()!;
    this.chars -= oldest.frame.length;
    this.items -= oldest.items;
    this.lost += oldest.items + oldest.dropped;
  }
}
