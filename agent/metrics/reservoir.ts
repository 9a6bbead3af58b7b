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
    private readonly random: () => number = Math.random,
  ) {
    this.values = new Float64Array(size);
  }

  add(value: number): void {
    const i = this.seen++;
    if (i < this.values.length) this.values[i] = value;
    else {
      const j = Math.floor(this.random() * this.seen);
      if (j < this.values.length) this.values[j] = value;
    }
  }

  /** Nearest-rank percentiles (q in 0..1) of the sample, or undefined when empty. */
  percentiles(qs: readonly number[]): number[] | undefined {
    const n = Math.min(this.seen, this.values.length);
    if (n === 0) return undefined;
    const sorted = this.values.slice(0, n).sort();
    return qs.map((q) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!);
  }

  reset(): void {
    this.seen = 0;
  }
}
