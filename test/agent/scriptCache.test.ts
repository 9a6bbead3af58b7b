import assert from 'node:assert/strict';
import { FakeRelay } from './helpers/fakeRelay';
import { FixtureWorld, REGISTER, stderrLines } from './helpers/service';

/**
 * Compiles BATCH small functions (each a script of its own, ~250 characters) on IPC "batch", drops them, collects
 * garbage and prints its RSS: a service that builds code at run time (templates, `vm`, generated serialisers).
 */
const APP_JS = `'use strict';
const BATCH = Number(process.env.BATCH);
process.on('message', (m) => {
  if (m !== 'batch') return;
  let sum = 0;
  for (let i = 0; i < BATCH; i++) sum += new Function('a', 'return a + ' + i + ' /* ${'x'.repeat(200)} */')(1);
  gc();
  gc();
  console.log('rss ' + process.memoryUsage().rss + ' ' + sum);
});
console.log('ready');
`;

describe('agent: scripts the program compiles and drops', function () {
  this.timeout(180_000);
  let world: FixtureWorld;
  let relay: FakeRelay;

  beforeEach(async () => {
    world = new FixtureWorld({ 'compile-app.js': APP_JS });
    relay = await FakeRelay.start();
  });
  afterEach(async () => {
    await world.dispose();
    await relay.close();
  });

  it('are not kept by the inspector session: memory stays flat however many the program compiles', async () => {
    const app = world.startApp('app', { args: ['--expose-gc', '--require', REGISTER], env: world.agentEnv(relay.url, { BATCH: '30000' }), entry: `${world.tmp.dir}/compile-app.js` });
    await relay.waitForHello();
    await app.waitForLine(/^ready$/);
    await new Promise((r) => setTimeout(r, 500)); // the agent's Debugger.enable is done well before this
    const rss: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const before = app.lines.length;
      app.proc.send('batch');
      const line = await app.waitFor(() => app.lines.slice(before).find((l) => /^rss \d+ \d+$/.test(l)), 30_000, `batch ${batch}`);
      rss.push(Number(line.split(' ')[1]));
    }
    // a session that kept them held ~600 bytes a script (its source and records): 18 MB a batch, 54 MB over the last
    // three; without it, RSS levels off after a few batches (V8's and malloc's warm-up: up to eight on Node 24) and
    // then creeps by 0-2 MB a batch
    const grown = (rss[9]! - rss[6]!) / 1e6;
    assert.ok(grown < 25, `RSS grew ${grown.toFixed(1)} MB over the last 90,000 compiled scripts (${rss.map((r) => (r / 1e6).toFixed(0)).join(', ')} MB)`);
    assert.deepEqual(stderrLines(app), []);
  });
});
