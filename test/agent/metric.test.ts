import assert from 'node:assert/strict';
import { MetricAggregator } from '../../agent/metrics/aggregator';
import { metricEvidence } from '../../agent/metrics/metricEvidence';
import { Reservoir } from '../../agent/metrics/reservoir';
import { FakeRelay } from './helpers/fakeRelay';
import { metricProbe } from './helpers/probes';
import { AGENT_INDEX, FixtureWorld, waitForMoreTicks } from './helpers/service';
import { waitUntil } from './helpers/wait';

describe('agent metrics: aggregation', () => {
  it('keeps a bounded uniform sample and exact count/min/max/mean', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const r = new Reservoir(512, random);
    for (let i = 1; i <= 100_000; i++) r.add(i);
    const [p50, p95, p99] = r.percentiles([0.5, 0.95, 0.99])!;
    assert.ok(Math.abs(p50! - 50_000) < 5_000, `p50 ${p50}`);
    assert.ok(Math.abs(p95! - 95_000) < 3_000, `p95 ${p95}`);
    assert.ok(Math.abs(p99! - 99_000) < 2_000, `p99 ${p99}`);
    const small = new Reservoir();
    for (const v of [5, 1, 9, 3]) small.add(v);
    assert.deepEqual(small.percentiles([0.5, 1]), [3, 9], 'nearest rank over exact values while they fit');
  });

  it('summarises values and counts non-numbers without sampling them, per window', () => {
    let now = 1000;
    const m = new MetricAggregator('p-1', 'value', () => now);
    for (const v of [10, 20, 30, 'x', undefined, 40n]) {
      m.counted();
      m.value(v);
    }
    now = 6000;
    const w = m.take();
    assert.deepEqual(w, { probeId: 'p-1', metric: 'value', start: 1000, end: 6000, count: 6, sampled: 4, summary: { min: 10, max: 40, mean: 25, p50: 20, p95: 40, p99: 40 } });
    assert.deepEqual(metricEvidence(w), {
      kind: 'metric',
      probeId: 'p-1',
      at: new Date(6000).toISOString(),
      metric: 'value',
      window: { start: new Date(1000).toISOString(), end: new Date(6000).toISOString() },
      count: 6,
      sampled: 4,
      min: 10,
      max: 40,
      mean: 25,
      p50: 20,
      p95: 40,
      p99: 40,
    });
    now = 7000;
    assert.deepEqual(m.take(), { probeId: 'p-1', metric: 'value', start: 6000, end: 7000, count: 0, sampled: 0 }, 'a new window starts empty');
  });

  it('pairs duration ends with the latest open start, and bounds starts that never end', () => {
    let t = 0;
    const m = new MetricAggregator('p-2', 'duration', () => 0, () => t);
    m.start();
    t = 5;
    m.start(); // nested (recursion): LIFO pairing
    t = 7;
    m.end(); // 7 - 5
    t = 10;
    m.end(); // 10 - 0
    m.end(); // no open start: ignored
    assert.equal(m.hasOpenStart, false);
    for (let i = 0; i < 1000; i++) m.start(); // an exception skipped every end
    const w = m.take();
    assert.deepEqual([w.count, w.summary?.min, w.summary?.max], [2, 2, 10]);
    assert.equal(metricEvidence(w).unit, 'ms');
  });
});

/** A service with a counted line, a value, a timed stretch and a function to time. */
const WORK_JS = `'use strict';
function work(n) {
  const size = n % 10;
  let acc = 0;
  for (let i = 0; i < size * 1000; i++) acc += i;
  const done = acc >= 0;
  return done;
}
let tick = 0;
setInterval(() => {
  work(tick);
  console.log('tick ' + tick++);
}, 5);
`;

describe('agent metrics in a running service', function () {
  this.timeout(60_000);
  let world: FixtureWorld;
  let relay: FakeRelay;

  beforeEach(async () => {
    world = new FixtureWorld({
      'src/work.js': WORK_JS,
      'api-entry.js': `'use strict';
require(process.env.AGENT_INDEX).start({ relay: process.env.RUNTRUTH_RELAY, agentKey: process.env.RUNTRUTH_AGENT_KEY, service: 'svc', logFile: process.env.RUNTRUTH_LOG_FILE, metricIntervalMs: 300 });
require('./src/work');
`,
    });
    relay = await FakeRelay.start();
  });
  afterEach(async () => {
    await world.dispose();
    await relay.close();
    assert.deepEqual(relay.invalid, [], 'every frame the agent sent matched the protocol');
  });

  it('counts hits, summarises a value, and times stretches, flushed as windows', async () => {
    const app = world.startApp('work', { env: { ...world.agentEnv(relay.url), AGENT_INDEX }, entry: `${world.tmp.dir}/api-entry.js` });
    await relay.waitForHello();
    const count = metricProbe({ file: 'src/work.js', line: 3, metric: 'count' });
    const evens = metricProbe({ file: 'src/work.js', line: 3, metric: 'count', condition: 'n % 2 === 0' });
    const value = metricProbe({ file: 'src/work.js', line: 6, metric: 'value', expression: 'size' });
    const stretch = metricProbe({ file: 'src/work.js', line: 3, metric: 'duration', endLine: 6 });
    const whole = metricProbe({ file: 'src/work.js', line: 3, metric: 'duration' });
    for (const p of [count, evens, value, stretch, whole]) relay.add(p);
    for (const p of [count, evens, value, stretch, whole]) {
      const s = await relay.waitForStatus(p.id, 'bound');
      assert.ok(s.tier, `${p.id} runs in a tier`);
    }
    // metrics ride on the logpoint path, so they are injected into the code like logpoints
    await waitUntil(() => relay.statusesOf(count.id).find((s) => s.state === 'bound' && s.tier === 'inject'), 'the count metric injected', 15_000, () => relay.describe());
    // windows with hits in them, after every probe bound
    const full = (id: string) => relay.waitForItems(id, 'metric', 3).then((ws) => ws.slice(1).filter((w) => w.count > 0));

    const counts = await full(count.id);
    assert.ok(counts.length, 'count windows');
    for (const w of counts) {
      assert.equal(w.metric, 'count');
      assert.ok(Date.parse(w.window.end) > Date.parse(w.window.start));
      assert.equal(w.mean, undefined, 'a count has no summary');
    }
    const evenWindows = await full(evens.id);
    const total = (ws: typeof counts) => ws.reduce((a, w) => a + w.count, 0);
    assert.ok(total(evenWindows) < total(counts), 'the condition passes only some hits');

    const values = await full(value.id);
    for (const w of values) {
      assert.ok(w.min! >= 0 && w.max! <= 9 && w.min! <= w.p50! && w.p50! <= w.p95! && w.p95! <= w.p99! && w.p99! <= w.max!, JSON.stringify(w));
      assert.ok(Number.isInteger(w.min) && w.unit === undefined);
    }
    for (const id of [stretch.id, whole.id]) {
      const ds = await full(id);
      for (const w of ds) {
        assert.equal(w.unit, 'ms');
        assert.ok(w.min! >= 0 && w.min! <= w.max! && w.mean! >= w.min! && w.mean! <= w.max!, JSON.stringify(w));
      }
    }
    relay.remove(count.id);
    await relay.waitForStatus(count.id, 'removed');
    await waitForMoreTicks(app, 5);
  });

  it('refuses a duration with no end outside a function, and a value metric whose expression is not a read', async () => {
    world.startApp('work', { env: { ...world.agentEnv(relay.url), AGENT_INDEX }, entry: `${world.tmp.dir}/api-entry.js` });
    await relay.waitForHello();
    const topLevel = metricProbe({ file: 'src/work.js', line: 9, metric: 'duration' });
    const writes = metricProbe({ file: 'src/work.js', line: 3, metric: 'value', expression: 'n = 5' });
    const maxed = metricProbe({ file: 'src/work.js', line: 3, metric: 'count', maxHits: 5 });
    for (const p of [topLevel, writes, maxed]) relay.add(p);
    const top = await relay.waitForStatus(topLevel.id, 'error');
    assert.deepEqual([top.code, top.reason], ['no_code', 'the end of the function: line 9 is not inside a function: give the duration an end line']);
    const w = await relay.waitForStatus(writes.id, 'error');
    assert.deepEqual([w.code, w.reason], ['invalid_expression', 'expression "n = 5" is not read-only: assignments are not allowed']);
    const m = await relay.waitForStatus(maxed.id, 'expired');
    assert.deepEqual([m.code, m.reason], ['max_hits', 'max hits reached (5)']);
  });
});
