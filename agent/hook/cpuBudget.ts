/** What happened to a probe's budget, for its status (sent to the worker with the hit batches). */
export interface BudgetEvent {
  probeId: string;
  /** throttled: paused for a while; resumed: running again; disabled: over budget too often, off for good. */
  action: 'throttled' | 'resumed' | 'disabled';
  reason: string;
}

export interface CpuBudgetOptions {
  /** Share of one core that all probes together may use over the window (default 1%). */
  share?: number;
  /** The sliding window (default 2 s). */
  windowMs?: number;
  /** How long a probe over budget first pauses (default 4 s); each further pause doubles it. */
  pauseMs?: number;
  /** Pauses a probe may take; the next time it is over budget it is disabled (default 4). */
  maxPauses?: number;
  /**
   * Most one sample is charged unless the probe's previous sample was this long too (default a quarter of the
   * budget, 5 ms). Samples are wall-clock time: a hit the OS preempted, the first hit's lazy compilation or a GC
   * can alone take tens of ms on a busy machine, and a sampled condition multiplies that by its sampling rate.
   * A probe that is really that expensive is long on consecutive samples, and is then charged in full.
   */
  sampleCapMs?: number;
  now?: () => number;
}

/** Buckets the window is split into (the window slides by one bucket at a time). */
const BUCKETS = 20;

interface Account {
  spent: Float64Array;
  pauses: number;
  paused: boolean;
  /** The previous sample was over sampleCapMs (a long one now is a pattern, not an accident). */
  lastLong: boolean;
  timer?: NodeJS.Timeout;
}

/**
 * The CPU budget for all probes of this process: probe time (measured around each admitted hit, and sampled for
 * conditions) is summed over a sliding window; when the sum passes `share` of the window, the probe that spent
 * most in it is paused, for longer each time, and disabled after `maxPauses`. Pausing is the hook's job (a flag
 * its gate checks); this class decides and says why.
 */
export class CpuBudget {
  private readonly limitMs: number;
  private readonly bucketMs: number;
  private readonly total = new Float64Array(BUCKETS);
  private readonly accounts = new Map<string, Account>();
  private head = 0;
  private readonly share: number;
  private readonly windowMs: number;
  private readonly pauseMs: number;
  private readonly maxPauses: number;
  private readonly sampleCapMs: number;
  private readonly now: () => number;

  constructor(
    private readonly setPaused: (probeId: string, paused: boolean) => void,
    private readonly report: (event: BudgetEvent) => void,
    options: CpuBudgetOptions = {},
  ) {
    this.share = options.share ?? 0.01;
    this.windowMs = options.windowMs ?? 2000;
    this.pauseMs = options.pauseMs ?? 4000;
    this.maxPauses = options.maxPauses ?? 4;
    this.now = options.now ?? (() => performance.now());
    this.limitMs = this.share * this.windowMs;
    this.bucketMs = this.windowMs / BUCKETS;
    this.sampleCapMs = options.sampleCapMs ?? this.limitMs / 4;
  }

  /**
   * Adds one sample, `ms` of probe time spent by `probeId` at time `at` (ms on the budget's clock). A sample over
   * sampleCapMs right after a normal one is charged sampleCapMs (see the option): one preempted hit cannot pause a
   * probe, a probe that keeps being slow is charged what it takes.
   */
  charge(probeId: string, ms: number, at: number = this.now()): void {
    if (!(ms > 0)) return;
    let account = this.accounts.get(probeId);
    if (!account) this.accounts.set(probeId, (account = { spent: new Float64Array(BUCKETS), pauses: 0, paused: false, lastLong: false }));
    const long = ms > this.sampleCapMs;
    if (long && !account.lastLong) ms = this.sampleCapMs;
    account.lastLong = long;
    this.advance(at);
    const i = this.head % BUCKETS;
    account.spent[i]! += ms;
    this.total[i]! += ms;
    if (sum(this.total) > this.limitMs) this.overBudget();
  }

  /** Forgets a probe (disarmed). */
  forget(probeId: string): void {
    const account = this.accounts.get(probeId);
    if (!account) return;
    clearTimeout(account.timer);
    for (let i = 0; i < BUCKETS; i++) this.total[i]! -= account.spent[i]!;
    this.accounts.delete(probeId);
  }

  /** Stops every pending resume (the agent stops). */
  clear(): void {
    for (const id of [...this.accounts.keys()]) this.forget(id);
  }

  /** Moves the window to `at`, emptying the buckets it leaves behind. */
  private advance(at: number): void {
    const bucket = Math.floor(at / this.bucketMs);
    if (bucket <= this.head) return;
    const steps = Math.min(bucket - this.head, BUCKETS);
    for (let s = 1; s <= steps; s++) {
      const i = (this.head + s) % BUCKETS;
      this.total[i] = 0;
      for (const account of this.accounts.values()) account.spent[i] = 0;
    }
    this.head = bucket;
  }

  private overBudget(): void {
    let heaviest: [string, Account, number] | undefined;
    for (const [id, account] of this.accounts) {
      if (account.paused) continue;
      const spent = sum(account.spent);
      if (!heaviest || spent > heaviest[2]) heaviest = [id, account, spent];
    }
    if (!heaviest) return;
    const [probeId, account, spent] = heaviest;
    // its time leaves the window: the others keep running within what is left
    for (let i = 0; i < BUCKETS; i++) this.total[i]! -= account.spent[i]!;
    account.spent.fill(0);
    account.paused = true;
    this.setPaused(probeId, true);
    const used = `probes used over ${fmt(this.share * 100)}% of a core (this one ${fmt(spent)} ms in ${fmt(this.windowMs / 1000)} s)`;
    if (account.pauses >= this.maxPauses) {
      this.report({ probeId, action: 'disabled', reason: `disabled by the CPU budget: ${used}, after ${account.pauses} pauses` });
      return;
    }
    const pause = this.pauseMs * 2 ** account.pauses++;
    this.report({ probeId, action: 'throttled', reason: `throttled by the CPU budget: ${used}; paused for ${fmt(pause / 1000)} s` });
    account.timer = setTimeout(() => {
      account.paused = false;
      this.setPaused(probeId, false);
      this.report({ probeId, action: 'resumed', reason: 'resumed after a CPU budget pause' });
    }, pause);
    account.timer.unref();
  }
}

function sum(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

function fmt(n: number): string {
  return n >= 10 ? n.toFixed(0) : n.toFixed(n >= 1 ? 1 : 2);
}
