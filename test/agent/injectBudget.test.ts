import assert from 'node:assert/strict';
import type { ProbeStatus } from '../../backend/protocol/probe';
import type { ProbeEngine, StatusCallback } from '../../agent/engine/types';
import { CpuBudget, type BudgetEvent } from '../../agent/hook/cpuBudget';
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
      assert.ok(admitted >= 5000 + 2 * 5000 * 0.97 && admitted <= 5000 + 2 * 5000, `admitted ${admitted}`); // the first second's burst, then the rate
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
      const bucket = new TokenBucket(2, () => (reads++, 0));
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

  describe('probe manager', () => {
    /** Binds every probe at once (as the inject tier would), and records removals. */
    class InjectLikeEngine implements ProbeEngine {
      readonly removed: string[] = [];
      onStatus: StatusCallback = () => undefined;
      async add(probe: PreparedProbe): Promise<void> {
        this.onStatus({ probeId: probe.spec.id, state: 'bound', location: { url: 'file:///a.js', line: probe.spec.line, column: 3 }, tier: 'inject' });
      }
      async remove(probeId: string): Promise<void> {
        this.removed.push(probeId);
      }
      async dispose(): Promise<void> {}
    }

    it('turns budget events into statuses, and takes a disabled probe out of the program', async () => {
      const inject = new InjectLikeEngine();
      const statuses: ProbeStatus[] = [];
      const manager = new ProbeManager({ engine: inject, instanceId: 'i-1', arm: () => undefined, disarm: () => undefined, sendStatuses: (s) => statuses.push(...s), log: () => undefined });
      inject.onStatus = (s) => manager.onEngineStatus(s);
      const probe = logProbe({ file: 'a.js', line: 4, template: 'x' });
      await manager.add(probe);
      const reason = 'throttled by the CPU budget: probes used over 1.0% of a core (this one 30 ms in 2.0 s); paused for 4.0 s';
      manager.acceptHits({ type: 'hits', hits: [], dropped: 0, budget: [{ probeId: probe.id, action: 'throttled', reason }] });
      assert.deepEqual(
        statuses.map((s) => [s.state, s.tier, s.reason]),
        [
          ['bound', 'inject', undefined],
          ['bound', 'inject', reason],
        ],
      );
      assert.deepEqual(statuses.at(-1)!.location, { url: 'file:///a.js', line: 4, column: 3 });
      manager.acceptHits({ type: 'hits', hits: [], dropped: 0, budget: [{ probeId: probe.id, action: 'resumed', reason: 'resumed' }] });
      assert.deepEqual([statuses.at(-1)!.state, statuses.at(-1)!.reason], ['bound', undefined]);
      manager.acceptHits({ type: 'hits', hits: [], dropped: 0, budget: [{ probeId: probe.id, action: 'disabled', reason: 'disabled by the CPU budget: …' }] });
      await waitUntil(() => inject.removed.includes(probe.id), 'the disabled probe to leave the program');
      assert.deepEqual([statuses.at(-1)!.state, statuses.at(-1)!.reason], ['error', 'disabled by the CPU budget: …']);
      await manager.dispose();
    });
  });
});
