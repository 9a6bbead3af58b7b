import type { Evidence } from '../../backend/protocol';

/** Limits that keep a long session's memory flat: the stream keeps the newest items, each probe its latest few. */
export const MAX_STREAM_ITEMS = 2000;
export const MAX_PER_PROBE = 50;

/**
 * Recent evidence, in relay order (store ids), without duplicates: a resumed subscription and a backlog query
 * can deliver the same item twice.
 */
export class EvidenceLog {
  private readonly stream: Evidence[] = [];
  private readonly byProbe = new Map<string, Evidence[]>();
  private readonly seen = new Map<string, number>();
  private readonly seenOn = new Map<string, Map<string, number>>();
  private lastId = 0;
  private readonly ids = new Set<number>();

  /** Adds items; returns the ones that were new, in order. */
  add(items: readonly Evidence[]): Evidence[] {
    const fresh: Evidence[] = [];
    for (const item of items) {
      if (item.kind !== 'gap') {
        if (this.ids.has(item.id)) continue;
        this.ids.add(item.id);
        this.lastId = Math.max(this.lastId, item.id);
        const list = this.byProbe.get(item.probeId) ?? [];
        list.push(item);
        if (list.length > MAX_PER_PROBE) list.shift();
        this.byProbe.set(item.probeId, list);
        this.seen.set(item.probeId, (this.seen.get(item.probeId) ?? 0) + 1);
        const perInstance = this.seenOn.get(item.probeId) ?? new Map<string, number>();
        perInstance.set(item.instance, (perInstance.get(item.instance) ?? 0) + 1);
        this.seenOn.set(item.probeId, perInstance);
      }
      this.stream.push(item);
      fresh.push(item);
    }
    if (this.stream.length > MAX_STREAM_ITEMS) {
      for (const dropped of this.stream.splice(0, this.stream.length - MAX_STREAM_ITEMS)) if (dropped.kind !== 'gap') this.ids.delete(dropped.id);
    }
    return fresh;
  }

  /** The newest store id seen: where a resumed subscription continues. */
  get lastEvidenceId(): number {
    return this.lastId;
  }

  all(): readonly Evidence[] {
    return this.stream;
  }

  forProbe(probeId: string): readonly Evidence[] {
    return this.byProbe.get(probeId) ?? [];
  }

  latest(probeId: string): Evidence | undefined {
    const list = this.byProbe.get(probeId);
    return list?.[list.length - 1];
  }

  /** How many items this session received for the probe (not capped like the lists). */
  count(probeId: string): number {
    return this.seen.get(probeId) ?? 0;
  }

  /** The same, for one instance. */
  countOn(probeId: string, instanceId: string): number {
    return this.seenOn.get(probeId)?.get(instanceId) ?? 0;
  }

  forget(probeId: string): void {
    this.byProbe.delete(probeId);
    this.seen.delete(probeId);
    this.seenOn.delete(probeId);
  }
}
