/** What happened to a probe's budget, for its status (sent to the worker with the hit batches). */
export interface BudgetEvent {
  probeId: string;
  /** throttled: paused for a while; resumed: running again; disabled: over budget too often, off for good. */
  action: 'throttled' | 'resumed' | 'disabled';
  reason: string;
  /**
   * Throttled: whether the probe should leave the program for its pause (and come back on resume). A breakpoint
   * costs ~80 µs per execution even with its gate closed; an injected probe is taken out only when its closed gate
   * would still cost a noticeable part of the budget (see TAKE_OUT_SHARE): each removal and return is a LiveEdit
   * that blocks the main thread 15–80 ms, far more than a closed gate on a line run a few thousand times a second.
   */
  takeOut?: boolean;
}

/** Execution batches after which a probe's rate is measured over its actual span (see CpuBudget.spanFor). */
const RATE_BATCHES = 8;

/** An injected probe whose executions alone cost more than this part of the budget leaves the program when paused. */
const TAKE_OUT_SHARE = 0.25;

/** How a probe runs in the program: what one execution of its line costs depends on it. */
export type ExecutionTier = 'inject' | 'breakpoint';

/**
 * Main-thread cost of one execution of a probed line, admitted or not (the gate runs every time), in ms. Measured
 * by bench/agentBench.ts ("CPU budget", a line run ~20 M times/s): an injected gate costs 17–24 ns per call
 * (25 ns here); V8's breakpoint alone, before its condition runs, ~80 µs per hit (the raw breakpoint baseline).
 */
export const EXECUTION_COST_MS: Readonly<Record<ExecutionTier, number>> = { inject: 25e-6, breakpoint: 0.08 };

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
  /** The part of `spent` that is executions (the gate's own cost, see chargeExecutions). */
  executed: Float64Array;
  /** When executions were first charged since the probe last (re)started: the span its rate is measured over. */
  since?: number;
  /** Execution batches charged since `since` (enough of them make a short span a measured rate, see spanFor). */
  batches: number;
  tier?: ExecutionTier;
  pauses: number;
  paused: boolean;
  /** The previous sample was over sampleCapMs (a long one now is a pattern, not an accident). */
  lastLong: boolean;
  /** Paused and taken out of the program (its executions stop; nothing to charge until it resumes). */
  out?: boolean;
  /** Why it was last throttled (repeated when a pause in place turns into a removal). */
  reason?: string;
  timer?: NodeJS.Timeout;
}

/**
 * The CPU budget for all probes of this process: probe time (measured around each admitted hit, and sampled for
 * conditions) is summed over a sliding window; when the sum passes `share` of the window, the probe that spent
 * most in it is paused, for longer each time, and disabled after `maxPauses`. Executions of a probe's line are
 * charged too (chargeExecutions): a probe on a hot line costs the program even when it admits nothing. An injected
 * probe whose executions alone are over the budget is disabled at once (see overBudget). Pausing is the caller's
 * job (the hook's gate flag, and the worker takes the probe out of the program); this class decides and says why.
 */
export class CpuBudget {
  private readonly bucketMs: number;
  private readonly total = new Float64Array(BUCKETS);
  private readonly accounts = new Map<string, Account>();
  private head = 0;
  private share: number;
  private readonly windowMs: number;
  private readonly pauseMs: number;
  private readonly maxPauses: number;
  private readonly sampleCapOption?: number;
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
    this.bucketMs = this.windowMs / BUCKETS;
    this.sampleCapOption = options.sampleCapMs;
  }

  /** The configured share (the worker validates it and tells the main thread once, before any probe is armed). */
  setShare(share: number): void {
    this.share = share;
  }

  private get limitMs(): number {
    return this.share * this.windowMs;
  }

  private get sampleCapMs(): number {
    return this.sampleCapOption ?? this.limitMs / 4;
  }

  /**
   * Adds one sample, `ms` of probe time spent by `probeId` at time `at` (ms on the budget's clock). A sample over
   * sampleCapMs right after a normal one is charged sampleCapMs (see the option): one preempted hit cannot pause a
   * probe, a probe that keeps being slow is charged what it takes.
   */
  charge(probeId: string, ms: number, at: number = this.now()): void {
    if (!(ms > 0)) return;
    const account = this.account(probeId);
    const long = ms > this.sampleCapMs;
    if (long && !account.lastLong) ms = this.sampleCapMs;
    account.lastLong = long;
    this.add(account, ms, at);
  }

  /**
   * Adds time summed over many hits elsewhere (the worker's share of its drains, each hit's part already bounded
   * there): charged in full, and no sign of one slow hit, so the cap on single samples neither applies nor learns.
   */
  chargeSum(probeId: string, ms: number, at: number = this.now()): void {
    if (!(ms > 0)) return;
    this.add(this.account(probeId), ms, at);
  }

  private add(account: Account, ms: number, at: number): void {
    this.advance(at);
    const i = this.head % BUCKETS;
    account.spent[i]! += ms;
    this.total[i]! += ms;
    if (sum(this.total) > this.limitMs) this.overBudget(at);
  }

  /**
   * Charges `calls` executions of a probe's line at its tier's cost (EXECUTION_COST_MS): what the program pays for
   * the probe being there, whether or not a hit was admitted. An estimate, not a sample: never capped. A probe
   * taken out for a pause (its removal is in flight) is not charged, so it cannot push others out; one paused in
   * place is watched instead (watchClosedGate).
   */
  chargeExecutions(probeId: string, calls: number, tier: ExecutionTier, at: number = this.now()): void {
    const account = this.account(probeId);
    if (account.out || !(calls > 0)) return;
    const ms = calls * EXECUTION_COST_MS[tier];
    account.tier = tier;
    if (account.since === undefined) {
      account.since = at;
      account.batches = 0;
    }
    account.batches++;
    this.advance(at);
    if (account.paused) return this.watchClosedGate(probeId, account, ms, at);
    const i = this.head % BUCKETS;
    account.spent[i]! += ms;
    account.executed[i]! += ms;
    this.total[i]! += ms;
    if (sum(this.total) > this.limitMs) this.overBudget(at);
  }

  /** The probe runs in this tier from now on (placed by the worker): decides how a pause takes it out. */
  setTier(probeId: string, tier: ExecutionTier): void {
    this.account(probeId).tier = tier;
  }

  private account(probeId: string): Account {
    let account = this.accounts.get(probeId);
    if (!account) this.accounts.set(probeId, (account = { spent: new Float64Array(BUCKETS), executed: new Float64Array(BUCKETS), batches: 0, pauses: 0, paused: false, lastLong: false }));
    return account;
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
      for (const account of this.accounts.values()) account.spent[i] = account.executed[i] = 0;
    }
    this.head = bucket;
  }

  /**
   * For an injected probe, what its executions alone cost as a share of a core, when that is over the budget (else
   * undefined). Decided over the span since its executions were first charged (see spanFor); reported over that
   * span as it is.
   */
  private idleShare(account: Account, at: number): IdleCost | undefined {
    if (account.tier !== 'inject' || account.since === undefined) return undefined;
    const executedMs = sum(account.executed);
    const spanMs = Math.min(this.windowMs, at - account.since);
    if (executedMs / this.spanFor(account, spanMs) <= this.share) return undefined;
    const share = executedMs / Math.max(spanMs, 1); // what it says: the rate as measured (over at least 1 ms)
    return { share, callsPerSecond: (share / EXECUTION_COST_MS.inject) * 1000 };
  }

  /**
   * A probe paused in place (its gate closed, see TAKE_OUT_SHARE) whose line turns out hotter than its rate said: its
   * executions are counted apart from the window's total (a closed gate spends no probe time) and once they would
   * cost more than TAKE_OUT_SHARE of the budget, the probe is taken out after all.
   */
  private watchClosedGate(probeId: string, account: Account, ms: number, at: number): void {
    account.executed[this.head % BUCKETS]! += ms;
    if (this.executedShare(account, at) <= this.share * TAKE_OUT_SHARE) return;
    account.out = true;
    const idle = this.idleShare(account, at);
    if (idle) {
      // over the whole budget with its gate closed: it would be over again on every resume, so off for good
      clearTimeout(account.timer);
      return this.report({ probeId, action: 'disabled', reason: idleReason(idle, this.share) });
    }
    this.report({ probeId, action: 'throttled', reason: account.reason ?? 'throttled by the CPU budget', takeOut: true });
  }

  /** What a probe's executions alone cost as a share of a core, over the span they were charged in (see spanFor). */
  private executedShare(account: Account, at: number): number {
    if (account.since === undefined) return 0;
    return sum(account.executed) / this.spanFor(account, Math.min(this.windowMs, at - account.since));
  }

  /**
   * The span a probe's execution rate is judged over: at least one bucket while few batches were charged (a short
   * burst must not disable a probe), the span itself once RATE_BATCHES were (a line that ran 8 × 1,024 times is
   * running, not bursting; judged over one bucket, a probe on a line run millions of times a second could pass for
   * a cheap one in its first milliseconds, be throttled by a cold condition's samples instead, and cycle).
   */
  private spanFor(account: Account, spanMs: number): number {
    return account.batches >= RATE_BATCHES ? Math.max(spanMs, 1) : Math.max(this.bucketMs, spanMs);
  }

  private overBudget(at: number): void {
    let heaviest: [string, Account, number] | undefined;
    for (const [id, account] of this.accounts) {
      if (account.paused) continue;
      const spent = sum(account.spent);
      if (!heaviest || spent > heaviest[2]) heaviest = [id, account, spent];
    }
    if (!heaviest) return;
    const [probeId, account, spent] = heaviest;
    const idle = this.idleShare(account, at);
    // a probe whose line rate is not known yet (its first executions are still being counted) is taken out too
    const takeOut = account.tier === 'breakpoint' || account.since === undefined || this.executedShare(account, at) > this.share * TAKE_OUT_SHARE;
    // its time leaves the window: the others keep running within what is left
    for (let i = 0; i < BUCKETS; i++) this.total[i]! -= account.spent[i]!;
    account.spent.fill(0);
    account.executed.fill(0);
    account.since = undefined;
    account.paused = true;
    account.out = true; // unless a pause below keeps it in place
    this.setPaused(probeId, true);
    if (idle) {
      // each pause and resume of an injected probe is a LiveEdit (15–80 ms of blocked main thread), and it would be
      // over budget again within milliseconds of each resume: cycling costs more than it shows
      this.report({ probeId, action: 'disabled', reason: idleReason(idle, this.share) });
      return;
    }
    const used = `probes used over ${fmt(this.share * 100)}% of a core (this one ${fmt(spent)} ms in ${fmt(this.windowMs / 1000)} s)`;
    if (account.pauses >= this.maxPauses) {
      this.report({ probeId, action: 'disabled', reason: `disabled by the CPU budget: ${used}, after ${account.pauses} pauses` });
      return;
    }
    const pause = this.pauseMs * 2 ** account.pauses++;
    account.out = takeOut;
    account.reason = `throttled by the CPU budget: ${used}; paused for ${fmt(pause / 1000)} s`;
    if (!takeOut) [account.since, account.batches] = [at, 0]; // from now its closed gate is watched (watchClosedGate)
    this.report({ probeId, action: 'throttled', reason: account.reason, takeOut });
    account.timer = setTimeout(() => {
      account.paused = account.out = false;
      account.since = undefined;
      account.executed.fill(0);
      this.setPaused(probeId, false);
      this.report({ probeId, action: 'resumed', reason: 'resumed after a CPU budget pause' });
    }, pause);
    account.timer.unref();
  }
}

/** What an injected probe's executions alone cost (see CpuBudget.idleShare). */
interface IdleCost {
  share: number;
  callsPerSecond: number;
}

function idleReason(idle: IdleCost, budgetShare: number): string {
  const rate = idle.callsPerSecond >= 1e6 ? `${fmt(idle.callsPerSecond / 1e6)} M` : `${fmt(idle.callsPerSecond / 1e3)} k`;
  return `disabled by the CPU budget: this line runs ~${rate} times/s: even an idle probe there costs ~${fmt(idle.share * 100)}% of a core; budget ${fmt(budgetShare * 100)}%`;
}

function sum(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s;
}

function fmt(n: number): string {
  return n >= 10 ? n.toFixed(0) : n.toFixed(n >= 1 ? 1 : 2);
}
