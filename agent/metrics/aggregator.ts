import type { MetricType } from '../../backend/protocol/probe';
import { Reservoir } from './reservoir';

/** One probe's aggregate over one flush window (epoch ms); numbers are in the value's unit, or ms for durations. */
export interface MetricWindow {
  probeId: string;
  metric: MetricType;
  start: number;
  end: number;
  count: number;
  /** Values the summary is over (≤ count: rate-limited or non-numeric values are counted, not sampled). */
  sampled: number;
  summary?: { min: number; max: number; mean: number; p50: number; p95: number; p99: number };
}

/** Open starts a duration keeps: a start whose end never comes (an exception skipped it) must not grow memory. */
const MAX_OPEN_STARTS = 64;

/**
 * A metric's running aggregate on the main thread: count, and for values and durations an exact
 * min/max/sum plus a reservoir for percentiles. Every method is O(1) and allocation-free: this runs inside
 * the program on every hit.
 *
 * Durations pair each end with the most recent open start (LIFO): exact for synchronous code; for async code
 * whose stretches interleave across awaits, pairs may cross (the summary stays a fair picture, not per-call truth).
 */
export class MetricAggregator {
  private count = 0;
  private sampled = 0;
  private min = Infinity;
  private max = -Infinity;
  private sum = 0;
  private readonly reservoir = new Reservoir();
  private readonly open: number[] = [];
  private windowStart: number;

  constructor(
    readonly probeId: string,
    readonly metric: MetricType,
    private readonly now: () => number = Date.now,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.windowStart = now();
  }

  /** A hit of a count or value metric (its value, if any, arrives through `value`). */
  counted(): void {
    this.count++;
  }

  /** A value metric's value: numbers (and numeric bigints) are sampled, anything else only counted. */
  value(v: unknown): void {
    const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : NaN;
    if (Number.isFinite(n)) this.sample(n);
  }

  /** A duration's start line ran. */
  start(): void {
    if (this.open.length >= MAX_OPEN_STARTS) this.open.shift();
    this.open.push(this.clock());
  }

  /** Whether an end would pair with a start (the end site admits only then). */
  get hasOpenStart(): boolean {
    return this.open.length > 0;
  }

  /** A duration's end ran: pairs with the latest start. */
  end(): void {
    const started = this.open.pop();
    if (started === undefined) return;
    this.count++;
    this.sample(this.clock() - started);
  }

  /** The window so far; starts a new one. */
  take(): MetricWindow {
    const end = this.now();
    const ps = this.reservoir.percentiles([0.5, 0.95, 0.99]);
    const window: MetricWindow = {
      probeId: this.probeId,
      metric: this.metric,
      start: this.windowStart,
      end,
      count: this.count,
      sampled: this.sampled,
      ...(ps && this.sampled ? { summary: { min: this.min, max: this.max, mean: this.sum / this.sampled, p50: ps[0]!, p95: ps[1]!, p99: ps[2]! } } : {}),
    };
    this.windowStart = end;
    this.count = this.sampled = this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.reservoir.reset();
    return window;
  }

  private sample(n: number): void {
    this.sampled++;
    this.sum += n;
    if (n < this.min) this.min = n;
    if (n > this.max) this.max = n;
    this.reservoir.add(n);
  }
}
