import assert from 'node:assert/strict';
import { FakeRelay } from './helpers/fakeRelay';
import { CALC_JS, CALC_LINES } from './helpers/injectFixture';
import { logProbe } from './helpers/probes';
import { FixtureWorld, REGISTER, stderrLines } from './helpers/service';
import { sleep, waitUntil } from './helpers/wait';

/** Calls price() every 10 ms; IPC "load" requires src/late.js (a file loaded after the probe on it was placed). */
const APP_JS = `'use strict';
const { price } = require('./src/calc');
let tick = 0;
let late;
setInterval(() => { console.log('tick ' + tick + ' ' + price({ amount: tick }).total + (late ? ' ' + late(tick) : '')); tick++; }, 10);
process.on('message', (m) => { if (m === 'load') late = require('./src/late').late; });
`;
const LATE_JS = `'use strict';
function late(x) {
  const tripled = x * 3;
  return tripled;
}
module.exports = { late };
`;

describe("agent: V8's Debugger domain only while probes are held", function () {
  this.timeout(60_000);
  let world: FixtureWorld;
  let relay: FakeRelay;

  beforeEach(async () => {
    world = new FixtureWorld({ 'app.js': APP_JS, 'src/calc.js': CALC_JS, 'src/late.js': LATE_JS });
    relay = await FakeRelay.start();
  });
  afterEach(async () => {
    await world.dispose();
    await relay.close();
    assert.deepEqual(relay.invalid, [], 'every frame the agent sent matched the protocol');
  });

  const startApp = async () => {
    const app = world.startApp('app', { args: ['--require', REGISTER], env: world.agentEnv(relay.url), entry: `${world.tmp.dir}/app.js` });
    await relay.waitForHello();
    await app.waitForLine(/^tick 2 /);
    return app;
  };
  const count = (re: RegExp) => world.readAgentLog().match(new RegExp(re.source, 'g'))?.length ?? 0;
  const enables = () => count(/Debugger\.enable took [\d.]+ ms/);
  const disables = () => count(/Debugger disabled: no probes/);

  it('turns it on for the first probe, off after the last one is gone, and on again for the next', async () => {
    const app = await startApp();
    await sleep(300);
    assert.equal(enables(), 0, 'an idle agent leaves it off');

    const first = logProbe({ file: 'src/calc.js', line: CALC_LINES.total, template: 'a={amount}' });
    relay.add(first);
    assert.equal((await relay.waitForStatus(first.id, 'bound')).tier, 'inject');
    await relay.waitForEvidence(first.id, 2);
    assert.equal(enables(), 1);

    relay.remove(first.id);
    await relay.waitForStatus(first.id, 'removed');
    await waitUntil(() => (disables() === 1 ? true : undefined), 'the domain to go off once nothing needs it');

    const second = logProbe({ file: 'src/calc.js', line: CALC_LINES.amount, template: 'b={order.amount}' });
    relay.add(second);
    assert.equal((await relay.waitForStatus(second.id, 'bound')).tier, 'inject');
    const evidence = await relay.waitForEvidence(second.id, 2);
    assert.match(evidence[0]!.message, /^b=\d+$/);
    assert.equal(enables(), 2);
    assert.deepEqual(stderrLines(app), []);
  });

  it('keeps it on while a probe waits for its file, which then binds when it loads', async () => {
    const app = await startApp();
    const probe = logProbe({ file: 'src/late.js', line: 3, template: 'tripled={x * 3}' });
    relay.add(probe);
    await relay.waitForStatus(probe.id, 'pending');
    await sleep(2500); // past the idle delay
    assert.equal(disables(), 0, 'a pending probe needs the domain (to see its file load)');
    app.proc.send('load');
    assert.equal((await relay.waitForStatus(probe.id, 'bound')).tier, 'inject');
    const evidence = await relay.waitForEvidence(probe.id, 2);
    assert.match(evidence[0]!.message, /^tripled=\d+$/);
  });

  it('keeps it on across a removal and a new probe within the idle delay (no second enable)', async () => {
    await startApp();
    const first = logProbe({ file: 'src/calc.js', line: CALC_LINES.total, template: 'a={amount}' });
    relay.add(first);
    await relay.waitForStatus(first.id, 'bound');
    relay.remove(first.id);
    await relay.waitForStatus(first.id, 'removed');
    const second = logProbe({ file: 'src/calc.js', line: CALC_LINES.total, template: 'c={amount}' });
    relay.add(second);
    await relay.waitForStatus(second.id, 'bound');
    await relay.waitForEvidence(second.id, 2);
    await sleep(2500);
    assert.deepEqual([enables(), disables()], [1, 0]);
  });
});
