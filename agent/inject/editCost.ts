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
/** Weight of the newest measurement in the running scale. */
const NEW_WEIGHT = 0.5;
/** The learned scale stays within these multiples of the seed (a stray measurement cannot make edits look free). */
const SCALE_RANGE = [0.1, 20] as const;

/** What an edit would be made on: the script's length and the program's used heap. */
export interface EditSize {
  chars: number;
  heapBytes: number;
}

/**
 * The estimate: the seeded model times one scale learned from this process's own edits (its machine, its load,
 * its heap's density). A single scale because one timing cannot tell the two parts apart.
 */
export class EditCostModel {
  private scale = 1;

  /** The main-thread pause an edit is expected to cost, in ms. */
  predictMs(size: EditSize): number {
    return FIXED_EDIT_MS + this.scale * variableMs(size);
  }

  /**
   * Learns from an edit V8 compiled (applied or blocked: both did the work). The time is the worker's round trip,
   * so a busy main thread makes it longer: the estimate errs towards pausing less.
   */
  observe(size: EditSize, ms: number): void {
    const seeded = variableMs(size);
    if (seeded < MIN_CALIBRATING_MS || !(ms >= 0)) return;
    const seen = Math.min(SCALE_RANGE[1], Math.max(SCALE_RANGE[0], Math.max(0, ms - FIXED_EDIT_MS) / seeded));
    this.scale = NEW_WEIGHT * seen + (1 - NEW_WEIGHT) * this.scale;
  }
}

/** The seeded size-dependent part (ms). */
function variableMs({ chars, heapBytes }: EditSize): number {
  return (SEED_MS_PER_MCHAR * chars) / 1e6 + (SEED_MS_PER_HEAP_MB * heapBytes) / 1e6;
}
