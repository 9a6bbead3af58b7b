/** Most calls a throttled bucket lets pass without a clock read (bounds how late a token can be noticed). */
const MAX_SKIP = 1023;

/**
 * The most a bucket holds, in seconds of its rate: the burst a probe may take at once, on placement or after a quiet
 * spell. A full second of the default logpoint rate (5,000 hits, ~2 µs each on a busy service's request path) spent
 * the whole CPU budget's allowance (1% of 2 s) at once: a logpoint placed on such a line was throttled within its
 * first 100 ms, before showing its steady rate.
 */
const BURST_SECONDS = 0.1;

/**
 * A smooth token bucket: refills continuously at `ratePerSecond`, holds at most a tenth of a second's worth (at
 * least one token), so a burst on placement or after a quiet spell is bounded and steady traffic is spread evenly.
 *
 * Built for hot paths: reading the clock costs ~70-90 ns here, more than an injected probe may spend per hit.
 * A take that succeeds reads it once (and keeps the reading in `lastNow` for CPU accounting); while the bucket is
 * empty, calls skip the read for about half the time until the next token is due, judged from the call rate
 * observed between reads, so a refused call costs a decrement.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly capacity: number;
  /** Calls still to refuse without reading the clock (the bucket is known to be empty until then). */
  private skip = 0;
  /** Calls since the last clock read. */
  private calls = 0;
  /** The clock reading of the latest refill (ms, from `now`). */
  lastNow: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.capacity = Math.max(1, ratePerSecond * BURST_SECONDS);
    this.tokens = this.capacity;
    this.last = this.lastNow = now();
  }

  /** Takes one token if there is one. */
  take(): boolean {
    if (this.skip > 0) {
      this.skip--;
      this.calls++;
      return false;
    }
    if (!this.refill()) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whether take() would succeed now, without taking (tokens only shrink in take(), so a full bucket needs no clock). */
  peek(): boolean {
    if (this.tokens >= 1) return true;
    if (this.skip > 0) {
      this.skip--;
      this.calls++;
      return false;
    }
    return this.refill();
  }

  /** Adds what accrued since the last read; when still empty, decides how many calls to refuse unread. */
  private refill(): boolean {
    const t = this.now();
    const elapsed = t - this.last;
    const calls = this.calls + 1;
    this.calls = 0;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed / 1000) * this.ratePerSecond);
    this.last = this.lastNow = t;
    if (this.tokens >= 1) return true;
    const msPerCall = elapsed / calls;
    const msToNextToken = ((1 - this.tokens) * 1000) / this.ratePerSecond;
    if (msPerCall > 0) this.skip = Math.min(MAX_SKIP, Math.floor((0.5 * msToNextToken) / msPerCall));
    return false;
  }
}
