import assert from 'node:assert/strict';
import { agentWorldPerTest } from './helpers/agentWorld';
import type { FakeRelay } from './helpers/fakeRelay';
import { logProbe, metricProbe } from './helpers/probes';
import { AGENT_INDEX, FixtureWorld } from './helpers/service';

/**
 * A closure factory: `motto` is kept alive for reveal(), which reads it; `label` and TOP are read by no function
 * made here, so V8 keeps no slot for them; bump() reads only `calls`. A live edit that makes bump() read `label`
 * is answered Ok, but the bump closure already made keeps running its old code: an injected probe never runs.
 */
const COUNTER_JS = `'use strict';
function makeCounter(label) {
  const motto = label + '-motto';
  let calls = 0;
  function reveal() { return motto; }
  function bump(n) {
    calls += n;
    return calls;
  }
  return { reveal, bump };
}
const TOP = 'top-level';
module.exports = makeCounter('c1');
`;
const LINE_IN_BUMP = 7; // calls += n;

const APP_JS = `'use strict';
require(process.env.AGENT_INDEX).start({ relay: process.env.RUNTRUTH_RELAY, agentKey: process.env.RUNTRUTH_AGENT_KEY, service: 'svc', logFile: process.env.RUNTRUTH_LOG_FILE, metricIntervalMs: 300 });
const counter = require('./src/counter');
let tick = 0;
setInterval(() => console.log('tick ' + tick++ + ' ' + counter.bump(1)), 10);
`;

describe('agent: injected probes and closure variables', function () {
  this.timeout(60_000);
  let world: FixtureWorld;
  let relay: FakeRelay;

  agentWorldPerTest(() => ({ 'src/counter.js': COUNTER_JS, 'closure-app.js': APP_JS }), (w, r) => ([world, relay] = [w, r]));

  it('runs a probe reading an outer variable its function does not read on the breakpoint tier (it reports), refuses one reading a variable no closure keeps, and injects one reading what it does', async () => {
    const app = world.startApp('closure', { env: { ...world.agentEnv(relay.url), AGENT_INDEX }, entry: `${world.tmp.dir}/closure-app.js` });
    await relay.waitForHello();
    await app.waitForLine(/^tick 0 /);
    const outer = logProbe({ file: 'src/counter.js', line: LINE_IN_BUMP, template: 'motto={motto} n={n}' });
    const conditioned = logProbe({ file: 'src/counter.js', line: LINE_IN_BUMP, template: 'n={n}', condition: 'motto.length > 0' });
    const valued = metricProbe({ file: 'src/counter.js', line: LINE_IN_BUMP, metric: 'value', expression: 'motto.length' });
    const uncaptured = logProbe({ file: 'src/counter.js', line: LINE_IN_BUMP, template: 'label={label} top={TOP} n={n}' });
    const own = logProbe({ file: 'src/counter.js', line: LINE_IN_BUMP, template: 'calls={calls} n={n}' });
    for (const p of [outer, conditioned, valued, uncaptured, own]) relay.add(p);

    for (const p of [outer, conditioned, valued]) {
      const bound = await relay.waitForStatus(p.id, 'bound');
      assert.equal(bound.tier, 'breakpoint', `${p.id} is not injected`);
      assert.match(bound.reason ?? '', /reads "motto" from an enclosing function, which the code at line 7 does not read itself/);
    }
    // a variable no closure keeps is gone once its function returned: no tier can read it, so it is refused at once
    const refused = await relay.waitForStatus(uncaptured.id, 'error');
    assert.equal(refused.code, 'invalid_expression');
    assert.match(refused.reason ?? '', /^"label", "TOP" cannot be read at line 7: it is a variable of an enclosing function that no inner function uses/);
    const ownBound = await relay.waitForStatus(own.id, 'bound');
    assert.equal(ownBound.tier, 'inject', 'a variable the function already reads stays injected');

    const [first] = await relay.waitForEvidence(outer.id, 3);
    assert.equal(first!.message, 'motto=c1-motto n=1', 'the closure variable reaches the probe');
    await relay.waitForEvidence(conditioned.id, 3);
    const windows = await relay.waitForItems(valued.id, 'metric', 2);
    assert.ok(windows.some((w) => w.count > 0 && w.min === 'c1-motto'.length), JSON.stringify(windows));
    const [mine] = await relay.waitForEvidence(own.id, 3);
    assert.match(mine!.message, /^calls=\d+ n=1$/);
  });
});
