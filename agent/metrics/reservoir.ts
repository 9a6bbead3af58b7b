import { $append, $ceil, $list, $Float64Array, $floor, $max, $min, $random, $typedArraySort } from '../expr/intrinsics';

/** Values kept per window for percentiles: p99 of 512 uniform samples is good to about ±1 percentile point. */
export const RESERVOIR_SIZE = 512;

/**
 * A fixed-size uniform sample of a stream (Vitter's algorithm R): constant memory and O(1) per value however
 * many values arrive, so a hot line costs the same at 10 or 10 million hits per window.
 */
export class Reservoir {
  private readonly values: Float64Array;
  private seen = 0;

  constructor(
    size = RESERVOIR_SIZE,
    private readonly random: () => number = $random,
  ) {
    this.values = new Float64Array(size);
  }

  add(value: number): void {
    const i = this.seen++;
    if (i < this.values.length) this.values[i] = value;
    else {
      const j = $floor(this.random() * this.seen);
      if (j < this.values.length) this.values[j] = value;
    }
  }

  /** Nearest-rank percentiles (q in 0..1) of the sample, or undefined when empty. */
  percentiles(qs: readonly number[]): number[] | undefined {
    const n = $min(this.seen, this.values.length);
    if (n === 0) return undefined;
    const sorted = new $Float64Array(n); // copied and sorted with captured built-ins: this runs on the program's thread
    for (let i = 0; i < n; i++) sorted[i] = this.values[i]!;
    $typedArraySort(sorted);
    const out = $list<number>();
    for (let i = 0; i < qs.length; i++) $append(out, sorted[$min(n - 1, $max(0, $ceil(qs[i]! * n) - 1))]!);
    return out;
  }

  reset(): void {
    this.seen = 0;
  }
}
