import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { MAX_CPU_MS_PER_HIT, MAX_WALL_MS_PER_HIT, ThreadCpuClock, WORKER_COST_DRAINS, WorkerCostMeter } from '../../agent/workerCost';

/** A meter on a clock the test moves, recording what it reports. */
function meter(opts: { cpu?: () => number | undefined; otherWork?: () => number } = {}) {
  const reports: Array<Array<[string, number]>> = [];
  const m = new WorkerCostMeter((costs) => reports.push(costs), opts.otherWork ?? (() => 0), opts.cpu ?? (() => undefined));
  const drain = (perProbe: Record<string, number>, wallMs = 0) => {
    if (Object.values(perProbe).some((n) => n > 0)) m.beforeDrain();
    m.drained(new Map(Object.entries(perProbe)), wallMs);
  };
  return { m, reports, drain };
}

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

describe("agent: the worker's cost per probe (CPU budget)", () => {
  it("charges the thread's CPU time over a period, shared among probes by their hits", () => {
    let cpu = 100;
    const { reports, drain } = meter({ cpu: () => cpu });
    for (let i = 0; i < WORKER_COST_DRAINS; i++) {
      drain({ a: 300, b: 100 }, 0.01); // a drain's wall time is far below what the worker spends besides (sending, GC)
      cpu += 2;
    }
    assert.equal(reports.length, 1);
    const costs = new Map(reports[0]);
    // the CPU read before the first drain (100) and at the report (after the tenth drain's cpu += 2 was not yet applied: 118)
    close(costs.get('a')!, 18 * 0.75);
    close(costs.get('b')!, 18 * 0.25);
  });

  it("charges a sparse probe at most MAX_CPU_MS_PER_HIT a hit: the worker's fixed cost is not its hits'", () => {
    let cpu = 0;
    const { m, reports, drain } = meter({ cpu: () => cpu });
    drain({ a: 2, b: 1 });
    cpu += 3; // 1 ms a hit: the drain timer's wake-ups, not the hits
    m.flush();
    const costs = new Map(reports[0]);
    close(costs.get('a')!, 2 * MAX_CPU_MS_PER_HIT);
    close(costs.get('b')!, MAX_CPU_MS_PER_HIT);
  });

  it('ends a period after WORKER_COST_DRAINS drains, empty ones included, and opens none without hits', () => {
    let cpu = 0;
    const { m, reports, drain } = meter({ cpu: () => cpu });
    for (let i = 0; i < 50; i++) drain({}, 0.5);
    assert.equal(reports.length, 0, 'no hits, no period');
    drain({ a: 500 });
    cpu += 1;
    for (let i = 1; i < WORKER_COST_DRAINS; i++) drain({});
    assert.equal(reports.length, 1, 'reported after ten drains, not after ten drains with hits');
    close(reports[0]![0]![1], 1);
    cpu += 500; // the worker idle for a long while (or busy with nothing of this probe's)
    drain({ a: 500 });
    cpu += 0.5;
    m.flush();
    close(reports[1]![0]![1], 0.5);
  });

  it("falls back to each drain's wall time, capped per hit, when the session kept the worker busy or there is no CPU clock", () => {
    let cpu = 0;
    let messages = 0;
    const { m, reports, drain } = meter({ cpu: () => cpu, otherWork: () => messages });
    drain({ a: 10 }, 0.02); // 2 µs a hit
    messages += 2_000; // Debugger.enable replayed every loaded script meanwhile
    cpu += 80;
    drain({ a: 10 }, 1); // 100 µs a hit: preempted by the program; capped
    m.flush();
    close(reports[0]![0]![1], 0.02 + 10 * MAX_WALL_MS_PER_HIT);

    const noClock = meter();
    noClock.drain({ a: 4, b: 1 }, 0.01);
    noClock.m.flush();
    const costs = new Map(noClock.reports[0]);
    close(costs.get('a')!, 0.008);
    close(costs.get('b')!, 0.002);
  });

  it("reads this thread's CPU time, not the process's", async function () {
    const clock = new ThreadCpuClock();
    try {
      if (clock.read() === undefined) this.skip(); // no /proc/thread-self here
      const before = clock.read()!;
      // another thread spins for 200 ms while this one sleeps
      const spinner = new Worker('const end = Date.now() + 200; while (Date.now() < end);', { eval: true });
      await new Promise((resolve) => spinner.once('exit', resolve));
      const mine = clock.read()! - before;
      assert.ok(mine < 100, `this thread used ${mine} ms while another spun 200 ms`);
      const start = clock.read()!;
      const end = Date.now() + 50;
      while (Date.now() < end);
      assert.ok(clock.read()! - start >= 40, 'its own spinning counts (the file is re-read, not cached)');
    } finally {
      clock.close();
    }
  });
});
