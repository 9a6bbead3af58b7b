import assert from 'node:assert/strict';
import { FakeRelay } from './helpers/fakeRelay';
import { logProbe } from './helpers/probes';
import { FixtureWorld, REGISTER } from './helpers/service';
import { waitUntil } from './helpers/wait';

/** A module evaluated again under the same URL (require cache entry deleted, required again: a new script id). */
const RELOAD_APP = `'use strict';
const path = require('node:path');
const file = path.join(__dirname, 'src', 'price.js');
let mod = require(file);
let generation = 0;
setInterval(() => console.log('tick ' + mod.price(generation)), 20);
process.on('message', (m) => {
  if (m !== 'reload') return;
  delete require.cache[file];
  mod = require(file);
  generation++;
  console.log('reloaded ' + generation);
});
console.log('ready');
`;
const PRICE_JS = `'use strict';
function price(generation) {
  const total = generation * 10;
  return total;
}
module.exports = { price };
`;

describe('agent: a script evaluated again under the same URL', function () {
  this.timeout(60_000);
  let world: FixtureWorld;
  let relay: FakeRelay;
  afterEach(async () => {
    await world.dispose();
    await relay.close();
    assert.deepEqual(relay.invalid, []);
  });

  it('gets its active probes injected into the new copy', async () => {
    world = new FixtureWorld({ 'reload-app.js': RELOAD_APP, 'src/price.js': PRICE_JS });
    relay = await FakeRelay.start();
    const app = world.startApp('reload', { args: ['--require', REGISTER], env: world.agentEnv(relay.url), entry: `${world.tmp.dir}/reload-app.js` });
    await relay.waitForHello();
    await app.waitForLine(/^ready$/);
    const probe = logProbe({ file: 'src/price.js', line: 4, template: 'gen={generation} total={total}' });
    relay.add(probe);
    assert.equal((await relay.waitForStatus(probe.id, 'bound')).tier, 'inject');
    await relay.waitForEvidence(probe.id, 2);
    app.proc.send('reload');
    await app.waitForLine(/^reloaded 1$/);
    const fromNewCopy = await waitUntil(() => relay.evidenceOf(probe.id).find((e) => e.message === 'gen=1 total=10'), 'hits from the reloaded module', 15_000, () => relay.describe());
    assert.ok(fromNewCopy);
    const ticks = app.stdoutLines.filter((l) => l.startsWith('tick '));
    assert.ok(ticks.every((l) => /^tick (0|10)$/.test(l)), 'the program computes what it did without the probe');
    assert.equal(relay.latestStatus(probe.id)!.state, 'bound');
  });
});
