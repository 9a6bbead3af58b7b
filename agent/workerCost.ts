import fs from 'node:fs';

/** Drains between reports of the worker's per-probe cost to the hook's CPU budget (every ~200 ms at 20 ms a drain). */
export const WORKER_COST_DRAINS = 10;

/**
 * Most a hit is charged (ms) where the worker's CPU time cannot be read and a drain's wall time stands in for it.
 * The worker shares a core with the program: a drain the program's thread preempts measures the program's time too.
 */
export const MAX_WALL_MS_PER_HIT = 0.005;

/**
 * Most a hit is charged (ms) from the thread's CPU time: ~3x what the worker spent per hit at 5,000 hits/s. The
 * worker's fixed cost while logpoints are live (its drain timer: each wake-up costs ~70 µs of CPU on a virtual
 * machine) must not be charged to a probe hit a few times a second.
 */
export const MAX_CPU_MS_PER_HIT = 0.01;

/** A thread's CPU time in ms (Linux: /proc/thread-self/schedstat, kept open and re-read), or undefined where there is none. */
export class ThreadCpuClock {
  private fd?: number | null;
  private readonly buffer = Buffer.alloc(64);

  /** The CPU time of the thread that first read it. */
  read(): number | undefined {
    if (this.fd === null) return undefined;
    try {
      this.fd ??= fs.openSync('/proc/thread-self/schedstat', 'r');
      const n = fs.readSync(this.fd, this.buffer, 0, this.buffer.length, 0);
      return Number(this.buffer.toString('latin1', 0, n).split(' ')[0]) / 1e6;
    } catch {
      this.close();
      this.fd = null;
      return undefined;
    }
  }

  close(): void {
    if (typeof this.fd === 'number') fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * What the agent's worker spends on each probe's hits, for the CPU budget. Where the thread's CPU time can be read,
 * a report charges all of it since the period's first hit — reading the ring, turning hits into JSON, batching,
 * framing and sending them, the worker's own garbage collection — shared among probes by their hits. Timing the
 * drain loop alone had missed two thirds of it: the worker spent ~2.8 µs a hit at 5,000 hits/s, the drains ~1 µs.
 * A probe is charged at most MAX_CPU_MS_PER_HIT a hit.
 * Elsewhere, and for a period in which the inspector session kept the worker busy too (a probe placed, a script
 * reported, a snapshot's pause: work that is not the hits'), each drain's wall time is charged, capped per hit.
 */
export class WorkerCostMeter {
  private readonly hits = new Map<string, number>();
  private readonly wallMs = new Map<string, number>();
  private drains = 0;
  private cpuAtStart?: number;
  private otherWorkAtStart = 0;
  private readonly clock = new ThreadCpuClock();

  /** `otherWork`: a count that moves when the worker does work other than hits' (the inspector session's messages). */
  constructor(
    private readonly report: (costs: Array<[probeId: string, ms: number]>) => void,
    private readonly otherWork: () => number,
    private readonly cpuMs: () => number | undefined = () => this.clock.read(),
  ) {}

  /** Before a drain that will read hits, when no period is open: what the period's charge counts from. */
  beforeDrain(): void {
    if (this.hits.size) return;
    this.cpuAtStart = this.cpuMs();
    this.otherWorkAtStart = this.otherWork();
  }

  /**
   * After every drain: it read `perProbe` hits in `wallMs` of wall time. A period lasts WORKER_COST_DRAINS drains
   * from its first hit (~200 ms), empty drains included, so sparse hits never gather minutes of the worker's time.
   */
  drained(perProbe: ReadonlyMap<string, number>, wallMs: number): void {
    let read = 0;
    for (const n of perProbe.values()) read += n;
    if (!read && this.hits.size === 0) return;
    const perHit = read ? Math.min(wallMs / read, MAX_WALL_MS_PER_HIT) : 0;
    for (const [probeId, n] of perProbe) {
      this.hits.set(probeId, (this.hits.get(probeId) ?? 0) + n);
      this.wallMs.set(probeId, (this.wallMs.get(probeId) ?? 0) + n * perHit);
    }
    if (++this.drains >= WORKER_COST_DRAINS) this.flush();
  }

  /** Reports the open period now. */
  flush(): void {
    if (this.hits.size === 0) return;
    const now = this.cpuAtStart === undefined || this.otherWork() !== this.otherWorkAtStart ? undefined : this.cpuMs();
    const cpu = now === undefined || this.cpuAtStart === undefined ? undefined : Math.max(0, now - this.cpuAtStart);
    let total = 0;
    for (const n of this.hits.values()) total += n;
    const costs: Array<[string, number]> = [...this.hits].map(([probeId, n]) => [probeId, cpu === undefined ? this.wallMs.get(probeId)! : Math.min((cpu * n) / total, n * MAX_CPU_MS_PER_HIT)]);
    this.hits.clear();
    this.wallMs.clear();
    this.drains = 0;
    this.cpuAtStart = undefined;
    this.report(costs);
  }

  /** Closes the clock's file (the agent stops). */
  dispose(): void {
    this.clock.close();
  }
}
