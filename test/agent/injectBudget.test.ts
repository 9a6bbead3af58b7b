import assert from 'node:assert/strict';
import type { ProbeStatus } from '../../backend/protocol/probe';
import type { ProbeEngine, StatusCallback } from '../../agent/engine/types';
import { MessageChannel } from 'node:worker_threads';
import type { HookBatch, HookToWorker, WorkerToHook } from '../../agent/channel';
import { CpuBudget, type BudgetEvent } from '../../agent/hook/cpuBudget';
import { HitHook } from '../../agent/hook/hitHook';
import { createHitRingMemory } from '../../agent/hook/hitRing';
import { TokenBucket } from '../../agent/hook/tokenBucket';
import type { PreparedProbe } from '../../agent/probe/prepare';
import { ProbeManager } from '../../agent/probeManager';
import { logProbe } from './helpers/probes';
import { waitUntil } from './helpers/wait';

describe('agent: hot-path budgets', () => {
  describe('token bucket', () => {
    it('admits its rate smoothly while reading the clock on a small share of refused calls', () => {
      let now = 0;
      let reads = 0;
      const bucket = new TokenBucket(5000, () => (reads++, now));
      let admitted = 0;
      let calls = 0;
      // 10 M calls a second for 2 s: one every 100 ns
      for (let i = 0; i < 20_000_000; i++, now += 0.0001) {
        calls++;
        if (bucket.take()) admitted++;
      }
      assert.ok(admitted >= 500 + 2 * 5000 * 0.97 && admitted <= 500 + 2 * 5000, `admitted ${admitted}`); // the first tenth of a second's burst, then the rate
      assert.ok(reads < calls / 50, `read the clock ${reads} times for ${calls} calls`);
    });

    it('spreads admissions evenly rather than in bursts', () => {
      let now = 0;
      const bucket = new TokenBucket(100, () => now);
      while (bucket.take()); // spend the initial burst
      const admittedAt: number[] = [];
      for (let i = 0; i < 100_000; i++, now += 0.01) if (bucket.take()) admittedAt.push(now);
      const gaps = admittedAt.slice(1).map((t, i) => t - admittedAt[i]!);
      assert.ok(Math.max(...gaps) < 10.5 && Math.min(...gaps) > 9.5, `gaps between ${Math.min(...gaps)} and ${Math.max(...gaps)} ms`);
    });

    it('peeks without taking, and needs no clock while tokens are there', () => {
      let reads = 0;
      const bucket = new TokenBucket(20, () => (reads++, 0)); // two tokens: a tenth of a second's worth
      const before = reads;
      assert.equal(bucket.peek(), true);
      assert.equal(reads, before, 'a full bucket answers without the clock');
      assert.equal(bucket.take(), true);
      assert.equal(bucket.take(), true);
      assert.equal(bucket.peek(), false);
    });
  });

  describe('CPU budget', () => {
    const setup = (options: ConstructorParameters<typeof CpuBudget>[2] = {}) => {
      const paused = new Map<string, boolean>();
      const events: BudgetEvent[] = [];
      let now = 0;
      const budget = new CpuBudget((id, p) => paused.set(id, p), (e) => events.push(e), { now: () => now, ...options });
      return { budget, paused, events, advance: (ms: number) => (now += ms), at: () => now };
    };

    it('pauses the probe that spent most once all of them pass 1% of a core, and resumes it later', async () => {
      const { budget, paused, events, advance, at } = setup({ pauseMs: 30 });
      for (let i = 0; i < 100; i++) {
        advance(10);
        budget.charge('light', 0.001, at());
        budget.charge('heavy', 0.3, at()); // 3% of a core
      }
      assert.equal(paused.get('heavy'), true);
      assert.equal(paused.get('light'), undefined);
      assert.match(events[0]!.reason, /^throttled by the CPU budget: probes used over 1\.0% of a core \(this one \d+(\.\d+)? ms in 2\.0 s\); paused for 0\.03 s$/);
      await waitUntil(() => events.some((e) => e.action === 'resumed'), 'the pause to end');
      assert.equal(paused.get('heavy'), false);
      budget.clear();
    });

    it('forgets time outside its window', () => {
      const { budget, paused, advance, at } = setup();
      for (let i = 0; i < 1000; i++) {
        advance(100); // 0.9 ms per 100 ms: 0.9% of a core, never over
        budget.charge('steady', 0.9, at());
      }
      assert.equal(paused.size, 0);
      budget.clear();
    });

    it('charges one long sample after normal ones at most a quarter of the budget (a preempted hit is not a hot probe)', () => {
      const { budget, paused, events, advance, at } = setup();
      budget.charge('p', 0.01, at());
      advance(10);
      budget.charge('p', 50, at()); // one hit the OS preempted: 50 ms of wall clock
      advance(10);
      budget.charge('p', 0.01, at());
      assert.equal(paused.size, 0);
      assert.deepEqual(events, []);
      budget.clear();
    });

    it("charges a sum of many hits (the worker's report) in full, and it does not make the next single sample count as a pattern", () => {
      const { budget, paused, events, advance, at } = setup({ pauseMs: 60_000 });
      budget.charge('p', 0.01, at());
      advance(200);
      budget.chargeSum('p', 14.9, at()); // a single sample this long would be charged 5 ms (a quarter of the budget)
      assert.equal(events.length, 0);
      advance(10);
      budget.charge('p', 50, at()); // one preempted hit after it: still capped, so 0.01 + 14.9 + 5 ms, not over 20
      assert.equal(events.length, 0);
      advance(10);
      budget.chargeSum('p', 0.5, at());
      assert.equal(paused.get('p'), true, 'over 20 ms in the window');
      assert.match(events[0]!.reason, /^throttled by the CPU budget: probes used over 1\.0% of a core \(this one 20 ms in 2\.0 s\)/);
      budget.clear();
    });

    it('disables a probe that keeps going over, after its pauses', async () => {
      const { budget, events, advance, at } = setup({ pauseMs: 1, maxPauses: 2 });
      for (let round = 0; round < 3; round++) {
        advance(5000);
        // slow hit after hit (50 ms each): a pattern, charged in full, over 20 ms in 2 s
        budget.charge('hog', 50, at());
        advance(10);
        budget.charge('hog', 50, at());
        if (round < 2) await waitUntil(() => events.filter((e) => e.action === 'resumed').length === round + 1, 'the pause to end');
      }
      assert.deepEqual(events.map((e) => e.action), ['throttled', 'resumed', 'throttled', 'resumed', 'disabled']);
      assert.match(events[4]!.reason, /^disabled by the CPU budget: .* after 2 pauses$/);
      budget.clear();
    });
  });

  describe('CPU budget: executions', () => {
    const setup = () => {
      const paused = new Map<string, boolean>();
      const events: BudgetEvent[] = [];
      let now = 0;
      const budget = new CpuBudget((id, p) => paused.set(id, p), (e) => events.push(e), { now: () => now, pauseMs: 60_000 });
      return { budget, paused, events, advance: (ms: number) => (now += ms), at: () => now };
    };
    /** Charges `perSecond` executions a second in batches of 1,024 (as the hook does) for `ms`; the time it stopped. */
    const run = (t: ReturnType<typeof setup>, id: string, tier: 'inject' | 'breakpoint', perSecond: number, ms: number, batch = 1024) => {
      const step = (batch / perSecond) * 1000;
      for (let spent = 0; spent < ms && !t.paused.get(id); spent += step) {
        t.advance(step);
        t.budget.chargeExecutions(id, batch, tier, t.at());
      }
    };

    it('disables an injected probe at once when its executions alone are over budget, saying how hot the line is', () => {
      const t = setup();
      run(t, 'hot', 'inject', 20_000_000, 2000); // 20 M calls/s × 25 ns: half a core for an idle gate
      assert.deepEqual(t.events.map((e) => e.action), ['disabled']);
      assert.match(t.events[0]!.reason, /^disabled by the CPU budget: this line runs ~(19|20|21) M times\/s: even an idle probe there costs ~(4\d|5\d)% of a core; budget 1\.0%$/);
      assert.equal(t.paused.get('hot'), true);
      assert.ok(t.at() <= 100, `taken out within one bucket of the window, at ${t.at()} ms`);
      t.budget.clear();
    });

    it('throttles (duty cycles) a breakpoint-tier probe whose hits are over budget, rather than disabling it', () => {
      const t = setup();
      run(t, 'bp', 'breakpoint', 1000, 2000, 16); // 1,000 hits/s × 80 µs: 8% of a core
      assert.deepEqual(t.events.map((e) => e.action), ['throttled']);
      assert.match(t.events[0]!.reason, /^throttled by the CPU budget: probes used over 1\.0% of a core \(this one 2\d(\.\d)? ms in 2\.0 s\); paused for 60 s$/);
      // 20 ms of budget at 80 µs a hit: ~250 hits, i.e. ~250 ms at this rate
      assert.ok(t.at() >= 200 && t.at() <= 300, `paused at ${t.at()} ms`);
      t.budget.clear();
    });

    it('takes a throttled probe out of the program only where its closed gate would still cost (a breakpoint, a hot line)', () => {
      const t = setup();
      run(t, 'bp', 'breakpoint', 1000, 2000, 16);
      assert.deepEqual(t.events.map((e) => [e.action, e.takeOut]), [['throttled', true]]);
      // a logpoint on a request-rate line whose rendered hits pass the budget: 20 k calls/s, 5 ms per 100 ms of hits
      const r = setup();
      for (let i = 0; i < 40 && !r.paused.get('req'); i++) {
        run(r, 'req', 'inject', 20_000, 100);
        r.budget.charge('req', 5, r.at());
      }
      assert.deepEqual(r.events.map((e) => [e.action, e.takeOut]), [['throttled', false]]);
      // paused in place, its closed gate is still watched: when the line turns hot, it is taken out after all
      run(r, 'req', 'inject', 20_000, 500);
      assert.equal(r.events.length, 1, 'a closed gate at 20 k calls/s stays');
      r.paused.set('req', false); // (run() stops at a pause: let it drive the closed gate)
      run(r, 'req', 'inject', 200_000, 200); // 0.5% of a core for the closed gate: out for the pause
      assert.deepEqual(r.events.map((e) => [e.action, e.takeOut, e.reason]), [['throttled', false, r.events[0]!.reason], ['throttled', true, r.events[0]!.reason]]);
      // ...and a closed gate over the whole budget is disabled rather than cycled
      const d = setup();
      for (let i = 0; i < 40 && !d.paused.get('req'); i++) {
        run(d, 'req', 'inject', 20_000, 100);
        d.budget.charge('req', 5, d.at());
      }
      d.paused.set('req', false);
      run(d, 'req', 'inject', 2_000_000, 50); // 5% of a core
      assert.deepEqual(d.events.map((e) => e.action), ['throttled', 'disabled']);
      assert.match(d.events[1]!.reason, /^disabled by the CPU budget: this line runs ~\d(\.\d)? M times\/s/);
      d.budget.clear();
      // the same hits on a line run 200 k times a second: its closed gate alone is 0.5% of a core
      const h = setup();
      for (let i = 0; i < 40 && !h.paused.get('hot'); i++) {
        run(h, 'hot', 'inject', 200_000, 100);
        h.budget.charge('hot', 5, h.at());
      }
      assert.deepEqual(h.events.map((e) => [e.action, e.takeOut]), [['throttled', true]]);
      for (const x of [t, r, h]) x.budget.clear();
    });

    it('never throttles probes on lines at request rates', () => {
      const t = setup();
      for (let s = 0; s < 20; s++) {
        run(t, 'req', 'inject', 100_000, 1000); // 100 k calls/s: 0.25% of a core
        run(t, 'bp', 'breakpoint', 50, 1000, 1); // 50 hits/s on a breakpoint: 0.4%
      }
      assert.deepEqual(t.events, []);
      t.budget.clear();
    });

    it('does not charge a paused probe (its removal is in flight), so it cannot push the others out', () => {
      const t = setup();
      run(t, 'hot', 'breakpoint', 100_000, 100, 16);
      assert.equal(t.paused.get('hot'), true);
      for (let i = 0; i < 1000; i++) {
        t.advance(1);
        t.budget.chargeExecutions('hot', 1000, 'breakpoint', t.at());
        t.budget.chargeExecutions('quiet', 1, 'inject', t.at());
      }
      assert.deepEqual(t.events.map((e) => [e.probeId, e.action]), [['hot', 'throttled']]);
      t.budget.clear();
    });
  });

  describe('hook: execution charging (driven clock)', () => {
    const setup = async (probe: { probeId: string; maxPerSecond: number }, tier?: 'inject' | 'breakpoint') => {
      const { port1, port2 } = new MessageChannel();
      let now = 1000;
      const hook = new HitHook(port1, createHitRingMemory(), { writeStdout: () => undefined, now: () => now });
      const events: BudgetEvent[] = [];
      port2.on('message', (m: HookToWorker) => m.type === 'batch' && events.push(...(m as HookBatch).budget ?? []));
      port2.postMessage({ type: 'arm', probe: { ...probe, parts: ['v=', ''], stdout: false } } satisfies WorkerToHook);
      if (tier) port2.postMessage({ type: 'placed', probeId: probe.probeId, tier } satisfies WorkerToHook);
      // the table update has arrived once the probe is known (admit of an unknown probe is false, and not counted)
      await waitUntil(() => (hook as unknown as { probes: Map<string, { tier: string }> }).probes.get(probe.probeId)?.tier === (tier ?? 'inject'), 'the arm message');
      return { hook, events, advance: (ms: number) => (now += ms), close: () => (hook.clear(), port2.close()) };
    };

    it("charges the worker's time on a probe's hits to the same budget, and ignores a probe no longer armed", async () => {
      const t = await setup({ probeId: 'busy', maxPerSecond: 5000 }, 'inject');
      const send = (costs: Array<[string, number]>) => (t.hook as unknown as { onTableUpdate(msg: WorkerToHook): void }).onTableUpdate({ type: 'workerCost', costs });
      send([['gone', 500]]); // disarmed before its cost arrived: charged to nobody
      assert.equal(t.events.length, 0);
      assert.equal(t.hook.admit('busy'), true, 'still running');
      // 4 ms of worker time, five times within the window: 20 ms is the 1% of 2 s
      for (let i = 0; i < 4; i++) (send([['busy', 4]]), t.advance(100));
      assert.equal(t.events.length, 0, 'under the budget');
      send([['busy', 4.5]]);
      await waitUntil(() => t.events.length > 0, 'the budget event');
      assert.deepEqual(t.events.map((e) => [e.probeId, e.action]), [['busy', 'throttled']]);
      assert.match(t.events[0]!.reason, /this one 20\.5 ms in 2\.0 s|this one 21 ms in 2\.0 s/);
      assert.equal(t.hook.admit('busy'), false, 'paused');
      t.close();
    });

    it('counts rejected calls: a gate that admits nothing on a 20 M/s line is disabled within the window', async () => {
      const t = await setup({ probeId: 'hot', maxPerSecond: 1 }, 'inject');
      let admitted = 0;
      let calls = 0;
      for (; calls < 10_000_000; calls++) {
        t.advance(0.00005); // 50 ns a call
        if (t.hook.admit('hot')) admitted++;
        if (calls % 100_000 === 0 && calls) await new Promise((r) => setImmediate(r));
        if (t.events.length) break;
      }
      await waitUntil(() => t.events.length > 0, 'the budget event');
      assert.ok(admitted <= 2, `the rate limit admitted ${admitted}`);
      assert.deepEqual(t.events.map((e) => [e.probeId, e.action]), [['hot', 'disabled']]);
      assert.match(t.events[0]!.reason, /this line runs ~\d+ M times\/s/);
      assert.ok(calls < 2_100_000, `disabled after ${calls} calls (~100 ms of them)`);
      assert.equal(t.hook.admit('hot'), false);
      t.close();
    });

    it('counts ready() calls of a conditioned probe once (not again in admit), at its breakpoint tier cost', async () => {
      const t = await setup({ probeId: 'bp', maxPerSecond: 1_000_000 }, 'breakpoint');
      let calls = 0;
      for (; calls < 10_000 && !t.events.length; calls++) {
        t.advance(1); // 1,000 hits/s on a breakpoint
        if (t.hook.ready('bp') && t.hook.cond('bp', true) && t.hook.admit('bp')) t.hook.hit('bp', [calls]);
        if (calls % 16 === 15) await new Promise((r) => setImmediate(r));
      }
      await waitUntil(() => t.events.length > 0, 'the budget event');
      assert.deepEqual(t.events.map((e) => [e.probeId, e.action]), [['bp', 'throttled']]);
      // 20 ms / 80 µs = 250 executions (+ one batch of 16); counted twice it would stop at ~125
      assert.ok(calls >= 240 && calls <= 290, `throttled after ${calls} executions`);
      assert.equal(t.hook.ready('bp'), false, 'paused');
      t.close();
    });
  });

  describe('probe manager', () => {
    /** Binds every probe at once (as the inject tier would), and records removals. */
    class InjectLikeEngine implements ProbeEngine {
      readonly removed: string[] = [];
      readonly added: string[] = [];
      onStatus: StatusCallback = () => undefined;
      async add(probe: PreparedProbe): Promise<void> {
        this.added.push(probe.spec.id);
        this.onStatus({ probeId: probe.spec.id, state: 'bound', location: { url: 'file:///a.js', line: probe.spec.line, column: 3 }, tier: 'inject' });
      }
      async remove(probeId: string): Promise<void> {
        this.removed.push(probeId);
      }
      async dispose(): Promise<void> {}
    }

    /** A logpoint held by a ProbeManager over an engine that binds at once in the inject tier. */
    const managedLogpoint = async () => {
      const inject = new InjectLikeEngine();
      const statuses: ProbeStatus[] = [];
      const manager = new ProbeManager({ engine: inject, instanceId: 'i-1', arm: () => undefined, disarm: () => undefined, sendStatuses: (s) => statuses.push(...s), log: () => undefined });
      inject.onStatus = (s) => manager.onEngineStatus(s);
      const probe = logProbe({ file: 'a.js', line: 4, template: 'x' });
      await manager.add(probe);
      return { inject, statuses, manager, probe };
    };

    it('turns budget events into statuses, and takes a disabled probe out of the program', async () => {
      const { inject, statuses, manager, probe } = await managedLogpoint();
      const reason = 'throttled by the CPU budget: probes used over 1.0% of a core (this one 30 ms in 2.0 s); paused for 4.0 s';
      manager.acceptBudget([{ probeId: probe.id, action: 'throttled', reason, takeOut: true }]);
      assert.deepEqual(
        statuses.map((s) => [s.state, s.tier, s.reason]),
        [
          ['bound', 'inject', undefined],
          ['bound', 'inject', reason],
        ],
      );
      assert.deepEqual(statuses.at(-1)!.location, { url: 'file:///a.js', line: 4, column: 3 });
      await waitUntil(() => inject.removed.length === 1, 'the throttled probe to leave the program for its pause');
      manager.acceptBudget([{ probeId: probe.id, action: 'resumed', reason: 'resumed' }]);
      assert.deepEqual([statuses.at(-1)!.state, statuses.at(-1)!.reason], ['bound', undefined]);
      await waitUntil(() => inject.added.length === 2, 'the resumed probe to be placed again');
      manager.acceptBudget([{ probeId: probe.id, action: 'disabled', reason: 'disabled by the CPU budget: …' }]);
      await waitUntil(() => inject.removed.length === 2, 'the disabled probe to leave the program');
      assert.deepEqual([statuses.at(-1)!.state, statuses.at(-1)!.reason], ['error', 'disabled by the CPU budget: …']);
      assert.deepEqual(inject.added, [probe.id, probe.id]);
      await manager.dispose();
    });

    it('leaves a throttled probe in place when the budget does not ask to take it out (no LiveEdit for a pause)', async () => {
      const { inject, statuses, manager, probe } = await managedLogpoint();
      manager.acceptBudget([{ probeId: probe.id, action: 'throttled', reason: 'throttled …', takeOut: false }]);
      assert.deepEqual([statuses.at(-1)!.state, statuses.at(-1)!.code, statuses.at(-1)!.reason], ['bound', 'budget', 'throttled …']);
      manager.acceptBudget([{ probeId: probe.id, action: 'resumed', reason: 'resumed' }]);
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual([statuses.at(-1)!.state, statuses.at(-1)!.reason], ['bound', undefined]);
      assert.deepEqual([inject.added, inject.removed], [[probe.id], []]);
      await manager.dispose();
    });

    it('tells the hook the tier a probe runs in, and does not put back a probe removed during its pause', async () => {
      const inject = new InjectLikeEngine();
      const placed: Array<[string, string]> = [];
      const manager = new ProbeManager({ engine: inject, instanceId: 'i-1', arm: () => undefined, disarm: () => undefined, placed: (id, tier) => placed.push([id, tier]), sendStatuses: () => undefined, log: () => undefined });
      inject.onStatus = (s) => manager.onEngineStatus(s);
      const probe = logProbe({ file: 'a.js', line: 4, template: 'x' });
      await manager.add(probe);
      assert.deepEqual(placed, [[probe.id, 'inject']]);
      manager.acceptBudget([{ probeId: probe.id, action: 'throttled', reason: 'throttled', takeOut: true }]);
      await manager.remove(probe.id);
      manager.acceptBudget([{ probeId: probe.id, action: 'resumed', reason: 'resumed' }]);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(inject.added, [probe.id], 'placed once, never again after its removal');
      assert.ok(inject.removed.length >= 1);
      await manager.dispose();
    });
  });
});
