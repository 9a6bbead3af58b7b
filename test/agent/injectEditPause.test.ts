import assert from 'node:assert/strict';
import fs from 'node:fs';
import { EditCostModel, FIXED_EDIT_MS, SEED_MS_PER_HEAP_MB, SEED_MS_PER_MCHAR } from '../../agent/inject/editCost';
import type { Child } from '../support/proc';
import { agentWorldPerTest } from './helpers/agentWorld';
import type { FakeRelay } from './helpers/fakeRelay';
import { CALC_JS, CALC_LINES } from './helpers/injectFixture';
import { logProbe } from './helpers/probes';
import { FixtureWorld, REGISTER, stderrLines } from './helpers/service';
import { sleep, waitUntil } from './helpers/wait';

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

/**
 * Calls step() and price() every 10 ms and prints both; IPC "src" prints their source, "grow" keeps ~60 MB more of
 * small objects live. HEAP_MB keeps that much live from the start.
 */
const APP_JS = `'use strict';
globalThis.kept = [];
for (let i = 0; i < Number(process.env.HEAP_MB || 0) * 20_000; i++) kept.push({ i, s: 'x' + i });
const { step } = require('./src/bundle');
const { price } = require('./src/calc');
let tick = 0;
setInterval(() => { console.log('tick ' + tick + ' ' + step(tick) + ' ' + price({ amount: tick }).total); tick++; }, 10);
process.on('message', (m) => {
  if (m === 'src') console.log('SRC ' + JSON.stringify(step.toString() + price.toString()));
  if (m === 'grow') {
    for (let i = 0; i < 60 * 20_000; i++) kept.push({ i, s: 'x' + i });
    console.log('grown');
  }
});
`;

describe('agent: live edits that would pause the program too long', function () {
  this.timeout(60_000);
  const bundle = bundleJs(400);
  let world: FixtureWorld;
  let relay: FakeRelay;

  agentWorldPerTest(() => ({ 'app.js': APP_JS, 'src/bundle.js': bundle.source, 'src/calc.js': CALC_JS }), (w, r) => ([world, relay] = [w, r]));

  const startApp = async (env: NodeJS.ProcessEnv = {}) => {
    const app = world.startApp('app', { args: ['--require', REGISTER], env: world.agentEnv(relay.url, env), entry: `${world.tmp.dir}/app.js` });
    await relay.waitForHello();
    await app.waitForLine(/^tick 0 /);
    return app;
  };

  const sourceOf = async (app: Child): Promise<string> => {
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
    const app = await startApp();
    const big = logProbe({ file: 'src/bundle.js', line: bundle.stepLine, template: 'y={y}' });
    relay.add(big);
    const bound = await relay.waitForStatus(big.id, 'bound');
    assert.equal(bound.tier, 'breakpoint');
    assert.match(bound.reason!, /^runs as a breakpoint \(~50 µs per hit\): inserting it would pause the program ~\d+ ms: V8 recompiles this 4\d\d KB script and walks the program's \d+\.\d MB heap \(the limit is 100 ms: maxEditPauseMs, RUNTRUTH_MAX_EDIT_PAUSE_MS\)$/);
    const evidence = await relay.waitForEvidence(big.id, 3);
    for (const e of evidence) assert.match(e.message, /^y=\d+$/);
    assert.ok(!(await sourceOf(app)).includes('__runtruth$rt'), 'the bundle was not edited');

    const small = logProbe({ file: 'src/calc.js', line: CALC_LINES.total, template: 'amount={amount}' });
    relay.add(small);
    assert.equal((await relay.waitForStatus(small.id, 'bound')).tier, 'inject', `a ${CALC_JS.length}-character script on a small heap is predicted under 100 ms`);
    await relay.waitForEvidence(small.id, 2);
    assertTicksUnchanged(app);
    assert.deepEqual(stderrLines(app), []);
  });

  it('runs a probe in a small script on the breakpoint tier when the program keeps a large heap (an edit walks all of it)', async () => {
    const app = await startApp({ HEAP_MB: '60' });
    const small = logProbe({ file: 'src/calc.js', line: CALC_LINES.total, template: 'amount={amount}' });
    relay.add(small);
    const bound = await relay.waitForStatus(small.id, 'bound');
    assert.equal(bound.tier, 'breakpoint');
    const heapMb = Number(/walks the program's (\d+\.\d) MB heap/.exec(bound.reason!)?.[1]);
    assert.ok(heapMb >= 50, `the heap it names: ${bound.reason}`);
    assert.match(bound.reason!, new RegExp(`V8 recompiles this ${CALC_JS.length}-character script`));
    await relay.waitForEvidence(small.id, 2);
    assertTicksUnchanged(app);
  });

  it('leaves a removed probe inert in the code when the heap grew so much that restoring the source would pause too long', async () => {
    const app = await startApp();
    const probe = logProbe({ file: 'src/calc.js', line: CALC_LINES.total, template: 'amount={amount}' });
    relay.add(probe);
    assert.equal((await relay.waitForStatus(probe.id, 'bound')).tier, 'inject');
    await relay.waitForEvidence(probe.id, 2);
    app.proc.send('grow');
    await app.waitForLine(/^grown$/);

    relay.remove(probe.id);
    await relay.waitForStatus(probe.id, 'removed');
    await waitUntil(() => (fs.readFileSync(world.agentLog, 'utf8').includes('left inert probe code in') ? true : undefined), 'the agent to log what it left');
    assert.match(fs.readFileSync(world.agentLog, 'utf8'), /left inert probe code in \S+\/src\/calc\.js: taking it out would pause the program ~\d+ ms: V8 recompiles this \d+-character script and walks the program's \d+\.\d MB heap \(the limit is 100 ms/);
    assert.ok((await sourceOf(app)).includes('__runtruth$rt'), 'the probe statement is still in the code');
    await sleep(300); // evidence already on its way arrives
    const count = relay.evidenceOf(probe.id).length;
    await sleep(500);
    assert.equal(relay.evidenceOf(probe.id).length, count, 'an inert statement records nothing');

    const again = logProbe({ file: 'src/calc.js', line: CALC_LINES.total, template: 'again={amount}' });
    relay.add(again);
    const bound = await relay.waitForStatus(again.id, 'bound');
    assert.equal(bound.tier, 'breakpoint');
    assert.match(bound.reason!, /inserting it would pause the program/);
    const evidence = await relay.waitForEvidence(again.id, 2);
    assert.match(evidence[0]!.message, /^again=\d+$/);
    assertTicksUnchanged(app);
    assert.deepEqual(stderrLines(app), []);
  });

  it('injects into the large script when the limit allows its pause', async () => {
    const app = await startApp({ RUNTRUTH_MAX_EDIT_PAUSE_MS: '60000' });
    const probe = logProbe({ file: 'src/bundle.js', line: bundle.stepLine, template: 'y={y}' });
    relay.add(probe);
    assert.equal((await relay.waitForStatus(probe.id, 'bound')).tier, 'inject');
    await relay.waitForEvidence(probe.id, 2);
    assert.ok((await sourceOf(app)).includes('__runtruth$rt'));
    assertTicksUnchanged(app);
  });

  it('never edits the code with a limit of 0: every probe runs on the breakpoint tier', async () => {
    const app = await startApp({ RUNTRUTH_MAX_EDIT_PAUSE_MS: '0' });
    const small = logProbe({ file: 'src/calc.js', line: CALC_LINES.total, template: 'amount={amount}' });
    relay.add(small);
    const bound = await relay.waitForStatus(small.id, 'bound');
    assert.equal(bound.tier, 'breakpoint');
    assert.match(bound.reason!, /\(the limit is 0 ms/);
    await relay.waitForEvidence(small.id, 2);
    assertTicksUnchanged(app);
  });
});

describe('agent: the live-edit pause estimate', () => {
  const MB = 1_000_000;

  it('grows with the script and with the heap, from a fixed cost', () => {
    const model = new EditCostModel();
    assert.equal(model.predictMs({ chars: 0, heapBytes: 0 }), FIXED_EDIT_MS);
    assert.equal(model.predictMs({ chars: MB, heapBytes: 0 }), FIXED_EDIT_MS + SEED_MS_PER_MCHAR);
    assert.equal(model.predictMs({ chars: 0, heapBytes: 100 * MB }), FIXED_EDIT_MS + 100 * SEED_MS_PER_HEAP_MB);
    assert.equal(model.predictMs({ chars: MB, heapBytes: 100 * MB }), FIXED_EDIT_MS + SEED_MS_PER_MCHAR + 100 * SEED_MS_PER_HEAP_MB);
  });

  it("learns this process's scale from the fastest of its recent edits, and ignores small or nonsensical ones", () => {
    const model = new EditCostModel();
    const size = { chars: 10_000, heapBytes: 100 * MB }; // seeded: 15 + 3 + 500 ms
    const seeded = model.predictMs(size);
    model.observe({ chars: 10_000, heapBytes: 1 * MB }, 500); // predicted 8 ms beyond the fixed cost: says nothing
    model.observe(size, Number.NaN);
    model.observe(size, -5);
    assert.equal(model.predictMs(size), seeded);

    // a heap of larger objects than the seed's: the same heap size walks in a fifth of the time
    const fifth = FIXED_EDIT_MS + (seeded - FIXED_EDIT_MS) / 5;
    model.observe(size, fifth);
    assert.ok(Math.abs(model.predictMs(size) - fifth) < 1, `learnt at once: ${model.predictMs(size)} vs ${fifth}`);
    // a slow moment (a busy or preempted main thread delays the round trip) does not raise it...
    model.observe(size, seeded * 3);
    assert.ok(Math.abs(model.predictMs(size) - fifth) < 1);
    // ...but edits that stay slow do, once they are all the recent ones
    for (let i = 0; i < 6; i++) model.observe(size, seeded * 3);
    assert.ok(Math.abs(model.predictMs(size) - fifth) < 1, 'one faster edit among the last eight still counts');
    model.observe(size, seeded * 3);
    assert.ok(model.predictMs(size) > seeded * 2.5, `all eight slow: ${model.predictMs(size)}`);
  });

  it('keeps the scale within bounds, so one stray timing cannot make every edit look free', () => {
    const model = new EditCostModel();
    const size = { chars: 0, heapBytes: 100 * MB };
    for (let i = 0; i < 50; i++) model.observe(size, 0);
    assert.ok(model.predictMs(size) >= FIXED_EDIT_MS + 0.1 * 100 * SEED_MS_PER_HEAP_MB - 1e-9);
  });
});
