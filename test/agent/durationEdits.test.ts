import assert from 'node:assert/strict';
import { FakeRelay } from './helpers/fakeRelay';
import { logProbe, metricProbe } from './helpers/probes';
import { AGENT_INDEX, FixtureWorld } from './helpers/service';
import { waitUntil } from './helpers/wait';

/** A function called every 5 ms; its lines 3-7 are all statements (each can take an injected probe). */
const WORK_JS = `'use strict';
function work(n) {
  const size = n % 10;
  let acc = 0;
  for (let i = 0; i < size * 100; i++) acc += i;
  const done = acc >= 0;
  return done;
}
let tick = 0;
setInterval(() => {
  work(tick);
  tick++;
}, 5);
`;

const ENTRY_JS = `'use strict';
require(process.env.AGENT_INDEX).start({ relay: process.env.RUNTRUTH_RELAY, agentKey: process.env.RUNTRUTH_AGENT_KEY, service: 'svc', logFile: process.env.RUNTRUTH_LOG_FILE, metricIntervalMs: 300 });
require('./src/work');
`;

/**
 * Call timers (a duration with no endLine: until the function returns) end on breakpoints, which V8 drops from a
 * script whenever another probe is live-edited into it or out of it.
 */
describe('agent: call timers across live edits of their script', function () {
  this.timeout(60_000);
  let world: FixtureWorld;
  let relay: FakeRelay;

  beforeEach(async () => {
    world = new FixtureWorld({ 'src/work.js': WORK_JS, 'timer-entry.js': ENTRY_JS });
    relay = await FakeRelay.start();
    world.startApp('work', { env: { ...world.agentEnv(relay.url), AGENT_INDEX }, entry: `${world.tmp.dir}/timer-entry.js` });
    await relay.waitForHello();
  });
  afterEach(async () => {
    await world.dispose();
    await relay.close();
    assert.deepEqual(relay.invalid, [], 'every frame the agent sent matched the protocol');
  });

  /** Resolves once a metric window of `probeId` that opened after this call counted stretches. */
  const countsFromNow = (probeId: string, what: string) => {
    const seen = relay.metricsOf(probeId).length;
    // the window open now may have started before the change: only those after it count
    return waitUntil(() => relay.metricsOf(probeId).slice(seen + 1).find((w) => w.count > 0), what, 15_000, () => `window counts since: ${relay.metricsOf(probeId).slice(seen).map((w) => w.count).join(',')}`);
  };

  it('keeps timing calls when a logpoint is injected into the same function after it, and when it is taken out', async () => {
    const timer = metricProbe({ file: 'src/work.js', line: 3, metric: 'duration' });
    relay.add(timer);
    await relay.waitForStatus(timer.id, 'bound');
    const before = await countsFromNow(timer.id, 'the timer counting alone');
    assert.equal(before.unit, 'ms');

    // on the return line: the edit shifts the column of the return the timer ends on
    const logpoint = logProbe({ file: 'src/work.js', line: 7, template: 'done={done}' });
    const counter = metricProbe({ file: 'src/work.js', line: 6, metric: 'count' });
    for (const p of [logpoint, counter]) relay.add(p);
    for (const p of [logpoint, counter]) assert.equal((await relay.waitForStatus(p.id, 'bound')).tier, 'inject');
    await relay.waitForEvidence(logpoint.id, 2);
    const during = await countsFromNow(timer.id, 'the timer counting after the logpoint was injected');
    assert.ok(during.min! >= 0 && during.min! <= during.max!, JSON.stringify(during));

    relay.remove(logpoint.id);
    await relay.waitForStatus(logpoint.id, 'removed');
    await countsFromNow(counter.id, 'the count metric after the logpoint left'); // the restoring edit is done by then
    await countsFromNow(timer.id, 'the timer counting after the logpoint was taken out');
    assert.equal(relay.latestStatus(timer.id)?.state, 'bound');
  });

  it('times calls with two timers in one function, both counting', async () => {
    const first = metricProbe({ file: 'src/work.js', line: 3, metric: 'duration' });
    relay.add(first);
    await relay.waitForStatus(first.id, 'bound');
    await countsFromNow(first.id, 'the first timer counting');
    const second = metricProbe({ file: 'src/work.js', line: 5, metric: 'duration' });
    relay.add(second);
    await relay.waitForStatus(second.id, 'bound');
    await countsFromNow(second.id, 'the second timer counting');
    await countsFromNow(first.id, 'the first timer still counting with the second in the same function');
  });
});
