import assert from 'node:assert/strict';
import { EditCostModel, FIXED_EDIT_MS, SEED_MS_PER_MCHAR } from '../../agent/inject/editCost';
import type { Child } from '../support/proc';
import { FakeRelay } from './helpers/fakeRelay';
import { CALC_JS, CALC_LINES } from './helpers/injectFixture';
import { logProbe } from './helpers/probes';
import { FixtureWorld, REGISTER, stderrLines } from './helpers/service';
import { waitUntil } from './helpers/wait';

/** A bundle-like script of ~`kb` KB (filler modules, as a bundler emits them), then step(), whose return line is `stepLine`. */
function bundleJs(kb: number): { source: string; stepLine: number } {
  const lines = ["'use strict';", 'const modules = [];'];
  for (let i = 0; lines.join('\n').length < kb * 1024; i++) {
    lines.push(`modules.push(function module${i}(x) { const base = x + ${i}; function inner(y) { return y * 2 + base; } return inner(base) + '${'v'.repeat(40)}'.length; });`);
  }
  const returnLine = lines.length + 3; // 1-based, after the two lines below it
  lines.push('function step(x) {', '  const y = x + 1;', '  return y * 2 + modules.length * 0;', '}', 'module.exports = { step };', '');
  return { source: lines.join('\n'), stepLine: returnLine };
}

/** Calls step() and price() every 10 ms and prints both; IPC "src" prints step's source. */
const APP_JS = `'use strict';
const { step } = require('./src/bundle');
const { price } = require('./src/calc');
let tick = 0;
setInterval(() => { console.log('tick ' + tick + ' ' + step(tick) + ' ' + price({ amount: tick }).total); tick++; }, 10);
process.on('message', (m) => { if (m === 'src') console.log('SRC ' + JSON.stringify(step.toString())); });
`;

describe('agent: live edits that would pause the program too long', function () {
  this.timeout(60_000);
  const bundle = bundleJs(200);
  let world: FixtureWorld;
  let relay: FakeRelay;

  beforeEach(async () => {
    world = new FixtureWorld({ 'app.js': APP_JS, 'src/bundle.js': bundle.source, 'src/calc.js': CALC_JS });
    relay = await FakeRelay.start();
  });
  afterEach(async () => {
    await world.dispose();
    await relay.close();
    assert.deepEqual(relay.invalid, [], 'every frame the agent sent matched the protocol');
  });

  const startApp = async (env: NodeJS.ProcessEnv = {}) => {
    const app = world.startApp('app', { args: ['--require', REGISTER], env: world.agentEnv(relay.url, env), entry: `${world.tmp.dir}/app.js` });
    await relay.waitForHello();
    await app.waitForLine(/^tick 0 /);
    return app;
  };

  const sourceOfStep = async (app: Child): Promise<string> => {
    const before = app.lines.length;
    app.proc.send('src');
    const line = await waitUntil(() => app.lines.slice(before).find((l) => l.startsWith('SRC ')), 'the app to print its source');
    return JSON.parse(line.slice(4)) as string;
  };

  /** Every tick line printed the values step() and price() return without any agent. */
  const assertTicksUnchanged = (app: Child) => {
    for (const line of app.stdoutLines.filter((l) => l.startsWith('tick '))) {
      const n = Number(line.split(' ')[1]);
      assert.equal(line, `tick ${n} ${(n + 1) * 2} ${n * 2}`);
    }
  };

  it('runs a probe in a script over the pause limit on the breakpoint tier, saying why, and still injects into a small one', async () => {
    const app = await startApp({ RUNTRUTH_MAX_EDIT_PAUSE_MS: '20' });
    const big = logProbe({ file: 'src/bundle.js', line: bundle.stepLine, template: 'y={y}' });
    relay.add(big);
    const bound = await relay.waitForStatus(big.id, 'bound');
    assert.equal(bound.tier, 'breakpoint');
    assert.match(bound.reason!, /^runs as a breakpoint \(~50 µs per hit\): inserting it would pause the program ~\d+ ms to recompile this 2\d\d KB script \(the limit is 20 ms: maxEditPauseMs, RUNTRUTH_MAX_EDIT_PAUSE_MS\)$/);
    const evidence = await relay.waitForEvidence(big.id, 3);
    for (const e of evidence) assert.match(e.message, /^y=\d+$/);
    assert.ok(!(await sourceOfStep(app)).includes('__runtruth$rt'), 'the bundle was not edited');

    const small = logProbe({ file: 'src/calc.js', line: CALC_LINES.total, template: 'amount={amount}' });
    relay.add(small);
    assert.equal((await relay.waitForStatus(small.id, 'bound')).tier, 'inject', `a ${CALC_JS.length}-char script is predicted under 20 ms`);
    await relay.waitForEvidence(small.id, 2);
    assertTicksUnchanged(app);
    assert.deepEqual(stderrLines(app), []);
  });

  it('injects into the same script under the default limit (100 ms)', async () => {
    const app = await startApp();
    const probe = logProbe({ file: 'src/bundle.js', line: bundle.stepLine, template: 'y={y}' });
    relay.add(probe);
    assert.equal((await relay.waitForStatus(probe.id, 'bound')).tier, 'inject');
    await relay.waitForEvidence(probe.id, 2);
    assert.ok((await sourceOfStep(app)).includes('__runtruth$rt'));
    assertTicksUnchanged(app);
  });

  it('never edits the code with a limit of 0: every probe runs on the breakpoint tier', async () => {
    const app = await startApp({ RUNTRUTH_MAX_EDIT_PAUSE_MS: '0' });
    const small = logProbe({ file: 'src/calc.js', line: CALC_LINES.total, template: 'amount={amount}' });
    relay.add(small);
    const bound = await relay.waitForStatus(small.id, 'bound');
    assert.equal(bound.tier, 'breakpoint');
    assert.match(bound.reason!, new RegExp(`this ${CALC_JS.length}-character script \\(the limit is 0 ms`));
    await relay.waitForEvidence(small.id, 2);
    assertTicksUnchanged(app);
  });
});

describe('agent: the live-edit pause estimate', () => {
  it('grows with the script, from a fixed cost', () => {
    const model = new EditCostModel();
    assert.equal(model.predictMs(0), FIXED_EDIT_MS);
    assert.equal(model.predictMs(1_000_000), FIXED_EDIT_MS + SEED_MS_PER_MCHAR);
    assert.ok(model.predictMs(4_000_000) > model.predictMs(1_000_000));
  });

  it("learns this process's rate from timed edits of large scripts, and ignores small or nonsensical ones", () => {
    const model = new EditCostModel();
    const seeded = model.predictMs(1_000_000);
    model.observe(10_000, 500); // mostly fixed cost: says nothing about the rate
    model.observe(1_000_000, Number.NaN);
    model.observe(1_000_000, -5);
    assert.equal(model.predictMs(1_000_000), seeded);

    // a faster machine: 1 MB edits in 115 ms, i.e. 100 ms a million chars beyond the fixed cost
    for (let i = 0; i < 20; i++) model.observe(1_000_000, FIXED_EDIT_MS + 100);
    assert.ok(Math.abs(model.predictMs(2_000_000) - (FIXED_EDIT_MS + 200)) < 1, `converges: ${model.predictMs(2_000_000)}`);
    // a slower moment (a busy main thread delays the round trip): the estimate rises at once
    model.observe(1_000_000, FIXED_EDIT_MS + 900);
    assert.ok(model.predictMs(1_000_000) > FIXED_EDIT_MS + 400);
  });
});
