import assert from 'node:assert/strict';
import { agentWorldPerTest } from './helpers/agentWorld';
import type { FakeRelay } from './helpers/fakeRelay';
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

describe("agent: V8's Debugger domain only while something needs it", function () {
  this.timeout(60_000);
  let world: FixtureWorld;
  let relay: FakeRelay;

  agentWorldPerTest(() => ({ 'app.js': APP_JS, 'src/calc.js': CALC_JS, 'src/late.js': LATE_JS }), (w, r) => ([world, relay] = [w, r]));

  const startApp = async (env: NodeJS.ProcessEnv = {}) => {
    const app = world.startApp('app', { args: ['--require', REGISTER], env: world.agentEnv(relay.url, env), entry: `${world.tmp.dir}/app.js` });
    await relay.waitForHello();
    await app.waitForLine(/^tick 2 /);
    return app;
  };
  const count = (re: RegExp) => world.readAgentLog().match(new RegExp(re.source, 'g'))?.length ?? 0;
  const enables = () => count(/Debugger\.enable took [\d.]+ ms/);
  const disables = () => count(/Debugger disabled: nothing needs it/);

  it('turns it on to place a probe and off once the probe is in the code; on again to take it out', async () => {
    const app = await startApp();
    await sleep(300);
    assert.equal(enables(), 0, 'an idle agent leaves it off');

    const probe = logProbe({ file: 'src/calc.js', line: CALC_LINES.total, template: 'a={amount}' });
    relay.add(probe);
    assert.equal((await relay.waitForStatus(probe.id, 'bound')).tier, 'inject');
    assert.equal(enables(), 1);
    await waitUntil(() => (disables() === 1 ? true : undefined), 'the domain to go off with the probe in the code', 10_000);
    // the injected probe keeps reporting with the domain off
    const seen = relay.evidenceOf(probe.id).length;
    const evidence = await relay.waitForEvidence(probe.id, seen + 3);
    assert.match(evidence.at(-1)!.message, /^a=\d+$/);

    relay.remove(probe.id);
    await relay.waitForStatus(probe.id, 'removed');
    assert.equal(enables(), 2, 'on again to take the probe out');
    await sleep(300); // evidence already on its way arrives
    const count = relay.evidenceOf(probe.id).length;
    await sleep(500);
    assert.equal(relay.evidenceOf(probe.id).length, count, 'the probe is out of the code');
    await waitUntil(() => (disables() === 2 ? true : undefined), 'the domain to go off again', 10_000);
    assert.deepEqual(stderrLines(app), []);
  });

  it('keeps it on while a probe runs on the breakpoint tier', async () => {
    // 100 breakpoint hits a second are near the default 1% budget, which would take the probe out for a pause
    await startApp({ RUNTRUTH_CPU_BUDGET: '50%' });
    const probe = logProbe({ file: 'src/calc.js', line: CALC_LINES.insideLiteral, template: 'lit={total}' });
    relay.add(probe);
    assert.equal((await relay.waitForStatus(probe.id, 'bound')).tier, 'breakpoint');
    await relay.waitForEvidence(probe.id, 2);
    await sleep(5000); // past two idle checks
    assert.equal(disables(), 0);
    const seen = relay.evidenceOf(probe.id).length;
    await relay.waitForEvidence(probe.id, seen + 2);
    relay.remove(probe.id);
    await relay.waitForStatus(probe.id, 'removed');
    await waitUntil(() => (disables() === 1 ? true : undefined), 'the domain to go off once the breakpoint is gone', 10_000);
  });

  it('keeps it on while a probe waits for its file, which then binds when it loads', async () => {
    const app = await startApp();
    const probe = logProbe({ file: 'src/late.js', line: 3, template: 'tripled={x * 3}' });
    relay.add(probe);
    await relay.waitForStatus(probe.id, 'pending');
    await sleep(5000); // past two idle checks
    assert.equal(disables(), 0, 'a pending probe needs the domain (to see its file load)');
    app.proc.send('load');
    assert.equal((await relay.waitForStatus(probe.id, 'bound')).tier, 'inject');
    const evidence = await relay.waitForEvidence(probe.id, 2);
    assert.match(evidence[0]!.message, /^tripled=\d+$/);
  });
});
