/**
 * How long a live edit blocks the program's main thread. Two parts, measured on Node 20 (2-core VM):
 * - V8 compiles the whole new script and matches its functions with the old ones: 0.09 MB 31-35 ms, 0.36 MB ~90 ms,
 *   0.9 MB ~215 ms, a 3.7 MB bundle of 40,000 functions ~900 ms.
 * - It then walks every reachable object of the heap (to find the closures and generators of changed functions),
 *   single-threaded: a 5-line file took 15-20 ms on a 4 MB heap, ~650 ms with 158 MB of small objects live and
 *   1,400 ms with 305 MB (a full GC of that heap: 271 ms). Unreachable garbage is not walked.
 * Removing the probe costs the same edit again. The estimate decides whether a probe is injected or runs on the
 * breakpoint tier, which costs per hit but never stops the service to be placed.
 */

/** Milliseconds per million characters of script (the VM above, rounded up). */
export const SEED_MS_PER_MCHAR = 300;
/** Milliseconds per MB of used heap (the VM above, a heap of small objects: the dense, expensive case). */
export const SEED_MS_PER_HEAP_MB = 5;
/** What any edit costs whatever its size (a small file's compile, the inspector round trip). */
export const FIXED_EDIT_MS = 15;
/** Edits whose size-dependent part is predicted under this say little about the rate (noise and fixed cost dominate). */
const MIN_CALIBRATING_MS = 20;
/** The scale is the smallest of this many recent measurements. */
const RECENT = 8;
/** A measurement's scale is kept within these multiples of the seed (a stray one cannot make edits look free). */
const SCALE_RANGE = [0.1, 20] as const;

/** What an edit would be made on: the script's length and the program's used heap. */
export interface EditSize {
  chars: number;
  heapBytes: number;
}

/**
 * The estimate: the seeded model times one scale learned from this process's own edits (its machine, its heap's
 * density). One scale, because one timing cannot tell the two parts apart. It is the smallest of the recent
 * measurements: what is timed is the worker's round trip, and a busy or preempted main thread only ever adds to it
 * (an estimate that followed those would soon refuse to take a probe out of a hot loop).
 */
export class EditCostModel {
  private readonly recent: number[] = [];

  /** The main-thread pause an edit is expected to cost, in ms. */
  predictMs(size: EditSize): number {
    const scale = this.recent.length ? Math.min(...this.recent) : 1;
    return FIXED_EDIT_MS + scale * variableMs(size);
  }

  /** Learns from an edit V8 compiled (applied or blocked: both did the work), timed from the worker. */
  observe(size: EditSize, ms: number): void {
    const seeded = variableMs(size);
    if (seeded < MIN_CALIBRATING_MS || !(ms >= 0)) return;
    this.recent.push(Math.min(SCALE_RANGE[1], Math.max(SCALE_RANGE[0], Math.max(0, ms - FIXED_EDIT_MS) / seeded)));
    if (this.recent.length > RECENT) this.recent.shift();
  }
}

/** The seeded size-dependent part (ms). */
function variableMs({ chars, heapBytes }: EditSize): number {
  return (SEED_MS_PER_MCHAR * chars) / 1e6 + (SEED_MS_PER_HEAP_MB * heapBytes) / 1e6;
}
