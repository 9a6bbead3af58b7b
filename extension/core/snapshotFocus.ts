import type { Evidence, SnapshotEvidence } from '../../backend/protocol';

const isSnapshot = (e: Evidence): e is SnapshotEvidence => e.kind === 'snapshot';

/**
 * Which snapshot the panel's explorer shows. It follows the newest capture of the probe in view (so a fresh hit
 * replaces a stale one), starts with the newest capture of any probe, and never jumps to another probe's capture
 * by itself once the user is looking at one.
 */
export class SnapshotFocus {
  private shown: { evidenceId: number; probeId: string } | undefined;
  /** A probe the user asked to see before it had any capture. */
  private wanted: string | undefined;

  get current(): { evidenceId: number; probeId: string } | undefined {
    return this.shown;
  }

  /** New evidence arrived: the snapshot to show now, if the explorer should change. */
  onEvidence(items: readonly Evidence[]): SnapshotEvidence | undefined {
    let next: SnapshotEvidence | undefined;
    for (const e of items) {
      if (!isSnapshot(e)) continue;
      const follow = this.wanted ? e.probeId === this.wanted : !this.shown || e.probeId === this.shown.probeId;
      if (follow && (!this.shown || e.id > this.shown.evidenceId || this.wanted)) next = e;
    }
    if (next) this.show(next);
    return next;
  }

  /** The user asked for a probe's snapshot: its newest capture in `all`, else it is shown when one arrives. */
  focusProbe(probeId: string, all: readonly Evidence[]): SnapshotEvidence | undefined {
    for (let i = all.length - 1; i >= 0; i--) {
      const e = all[i]!;
      if (isSnapshot(e) && e.probeId === probeId) return this.show(e);
    }
    this.wanted = probeId;
    return undefined;
  }

  /** The user picked one capture (by store id). */
  open(evidenceId: number, all: readonly Evidence[]): SnapshotEvidence | undefined {
    const e = all.find((x): x is SnapshotEvidence => isSnapshot(x) && x.id === evidenceId);
    return e && this.show(e);
  }

  /** The newest capture of anything: what a freshly opened panel starts with (and follows from then on). */
  latest(all: readonly Evidence[]): SnapshotEvidence | undefined {
    if (this.shown) return this.open(this.shown.evidenceId, all);
    for (let i = all.length - 1; i >= 0; i--) if (isSnapshot(all[i]!)) return this.show(all[i] as SnapshotEvidence);
    return undefined;
  }

  private show(e: SnapshotEvidence): SnapshotEvidence {
    this.shown = { evidenceId: e.id, probeId: e.probeId };
    this.wanted = undefined;
    return e;
  }
}
