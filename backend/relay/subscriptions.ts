import { RuntruthError, type Evidence, type Labels } from '../protocol';
import { matchesFilter, type EvidenceFilter, type StoredEvidence } from './evidence-filter';
import type { EvidenceOutbox } from './outbox';
import type { EvidenceStore } from './store-evidence';

const REPLAY_PAGE = 500;

interface Subscription {
  readonly id: string;
  readonly filter: EvidenceFilter;
  /** Highest store id this subscription has been given (or has no business seeing). */
  cursor: number;
  /** Still reading history from the store; live items are not pushed until it has caught up. */
  catchingUp: boolean;
}

/**
 * One client's evidence subscriptions. A resuming subscription first replays from the store, one page at a
 * time as the client's outbox has room, then turns live. Every item is stored before it is published, so the
 * store is the single source of order: replay reads up to the newest id, live takes only ids above the cursor —
 * no duplicates, no holes.
 */
export class ClientSubscriptions {
  private readonly subs = new Map<string, Subscription>();
  private nextNumber = 1;

  constructor(
    private readonly deps: {
      evidence: EvidenceStore;
      outbox: EvidenceOutbox;
      now?: () => Date;
      /** Instance labels, for label-scoped filters. */
      labelsOf?: (instanceId: string) => Labels | undefined;
    },
  ) {}

  add(filter: EvidenceFilter, afterId?: number): { subscription: string; lastId: number } {
    const lastId = this.deps.evidence.lastId();
    const id = `s-${this.nextNumber++}`;
    const resuming = afterId !== undefined && afterId < lastId;
    this.subs.set(id, { id, filter, cursor: resuming ? afterId : lastId, catchingUp: resuming });
    if (resuming) {
      const prunedThrough = this.deps.evidence.prunedThrough();
      // retention deleted part of what was asked for: say so rather than replay as if complete
      if (afterId < prunedThrough) this.deps.outbox.enqueue(id, [relayGap(prunedThrough - afterId, this.now())]);
      this.pump();
    }
    return { subscription: id, lastId };
  }

  remove(id: string): void {
    if (!this.subs.delete(id)) throw new RuntruthError('not_found', `no subscription '${id}' on this connection`);
    this.deps.outbox.forget(id);
  }

  /** New evidence, already stored, in id order. */
  publish(items: readonly StoredEvidence[]): void {
    for (const sub of this.subs.values()) {
      if (sub.catchingUp) continue;
      const wanted = items.filter((item) => item.id > sub.cursor && matchesFilter(item, sub.filter, this.deps.labelsOf));
      if (wanted.length === 0) continue;
      sub.cursor = wanted[wanted.length - 1].id;
      this.deps.outbox.enqueue(sub.id, wanted);
    }
  }

  /** Moves replaying subscriptions forward while the outbox has room; called again when it drains. */
  pump(): void {
    for (const sub of this.subs.values()) {
      while (sub.catchingUp && this.deps.outbox.hasRoomFor(REPLAY_PAGE)) {
        const page = this.deps.evidence.after(sub.cursor, sub.filter, REPLAY_PAGE);
        if (page.length > 0) {
          sub.cursor = page[page.length - 1].id;
          this.deps.outbox.enqueue(sub.id, page);
        }
        if (page.length < REPLAY_PAGE) {
          // synchronous with the read: nothing newer can have been published in between
          sub.catchingUp = false;
          sub.cursor = Math.max(sub.cursor, this.deps.evidence.lastId());
        }
      }
    }
  }

  clear(): void {
    for (const id of this.subs.keys()) this.deps.outbox.forget(id);
    this.subs.clear();
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/** Marks evidence the relay itself no longer has (deleted by retention). */
export function relayGap(count: number, at: Date): Evidence {
  return { kind: 'gap', at: at.toISOString(), count, where: 'relay' };
}
