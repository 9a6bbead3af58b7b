/**
 * How long a live edit blocks the program's main thread. V8 compiles the whole new script and matches every
 * function in it against the old one, so the pause grows with the script: measured on Node 20 (2-core VM),
 * 0.09 MB 31-35 ms, 0.36 MB ~90 ms, 0.9 MB ~215 ms, 3.7 MB (a bundle of 40,000 functions) ~900 ms, the same again
 * to restore it. A bundled service is one such script: the estimate decides whether a probe is injected there or
 * runs on the breakpoint tier, which costs per hit but never freezes the service to be placed.
 */

/** Milliseconds per million characters before this process has timed an edit of a large script (the VM above, rounded up). */
export const SEED_MS_PER_MCHAR = 300;
/** What any edit costs whatever its size (a small file's compile and the inspector round trip). */
export const FIXED_EDIT_MS = 15;
/** Edits of shorter scripts are mostly fixed cost and say little about the rate. */
const MIN_CALIBRATING_CHARS = 64 * 1024;
/** Weight of the newest measurement in the running rate. */
const NEW_WEIGHT = 0.5;

/** The estimate, learned from this process's own edits (its machine, its load, its V8). */
export class EditCostModel {
  private msPerMChar = SEED_MS_PER_MCHAR;

  /** The main-thread pause an edit of a script this long is expected to cost, in ms. */
  predictMs(chars: number): number {
    return FIXED_EDIT_MS + (this.msPerMChar * chars) / 1e6;
  }

  /**
   * Learns from an edit V8 compiled (applied or blocked: both compile the script). The time is the worker's round
   * trip, so a busy main thread makes it longer: the estimate errs towards pausing less.
   */
  observe(chars: number, ms: number): void {
    if (chars < MIN_CALIBRATING_CHARS || !(ms >= 0)) return;
    const rate = (Math.max(0, ms - FIXED_EDIT_MS) * 1e6) / chars;
    this.msPerMChar = NEW_WEIGHT * rate + (1 - NEW_WEIGHT) * this.msPerMChar;
  }
}
