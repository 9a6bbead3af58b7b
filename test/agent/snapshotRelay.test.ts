import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, runCli, startNode } from '../support/proc';
import { LINES } from './helpers/fixtures';
import { AGENT_INDEX, FixtureWorld } from './helpers/service';

/**
 * Snapshots and metrics end to end with the real CLI and relay: placed with `probe add --snapshot/--metric`,
 * stored by the relay's SQLite store, printed by `evidence`.
 */
describe('snapshot and metric probes through the relay and the CLI', function () {
  this.timeout(90_000);
  let world: FixtureWorld;
  let relayUrl: string;
  let data: string;

  const cli = (args: string[]) => runCli([...args, '--relay', relayUrl, '--data', data], { cwd: world.tmp.dir });
  const json = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

  before(async () => {
    world = new FixtureWorld({
      'api-entry.js': `'use strict';
require(process.env.AGENT_INDEX).start({ relay: process.env.RUNTRUTH_RELAY, agentKey: process.env.RUNTRUTH_AGENT_KEY, service: 'svc', metricIntervalMs: 300 });
require('./app');
`,
    });
    data = path.join(world.tmp.dir, '.runtruth');
    const relay = world.children.add(startNode([path.join(ROOT, 'bin/runtruth.js'), 'relay', '--port', '0', '--data', data], 'relay', { cwd: world.tmp.dir }));
    relayUrl = (await relay.waitForLine(/listening on (ws:\/\/127\.0\.0\.1:\d+)/))[1]!;
    const agentKey = fs.readFileSync(path.join(data, 'agent.key'), 'utf8').trim();
    world.startApp('app', { env: { ...process.env, RUNTRUTH_RELAY: relayUrl, RUNTRUTH_AGENT_KEY: agentKey, AGENT_INDEX }, entry: path.join(world.tmp.dir, 'api-entry.js') });
    for (let i = 0; i < 100; i++) {
      const services = json((await cli(['services', '--json'])).stdout);
      if (services.some((s) => s.service === 'svc')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    await world.dispose();
  });

  it('places a snapshot with watches and prints it: stack, locals, watches', async () => {
    const add = await cli(['probe', 'add', '--service', 'svc', '--file', 'src/validate.js', '--line', String(LINES.compare), '--snapshot', '--watch', 'amount', '--watch', 'limit * 2', '--json']);
    assert.equal(add.code, 0, add.stderr);
    const probe = json(add.stdout)[0]!;
    const id = probe.id as string;
    assert.deepEqual((probe.probe as { watches: string[] }).watches, ['amount', 'limit * 2']);

    let items: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 100 && !items.length; i++, await new Promise((r) => setTimeout(r, 100))) items = json((await cli(['evidence', '--probe', id, '--json'])).stdout);
    const [snap] = items as Array<{ kind: string; frames: Array<{ function: string; file: string; line: number }>; watches: Array<{ expression: string; value: { value: unknown } }> }>;
    assert.equal(snap!.kind, 'snapshot');
    assert.deepEqual([snap!.frames[0]!.function, snap!.frames[0]!.file, snap!.frames[0]!.line], ['validate', path.join(world.tmp.dir, 'src/validate.js'), LINES.compare]);
    assert.deepEqual(snap!.watches[1], { expression: 'limit * 2', value: { type: 'number', value: 20000 } });

    const text = (await cli(['evidence', '--probe', id])).stdout;
    assert.match(text, new RegExp(`svc/\\S+ ${id}  snapshot at validate \\(.*/src/validate\\.js:${LINES.compare}\\)  \\[paused [\\d.]+ ms\\]`));
    assert.match(text, new RegExp(`\\n  #0 validate  .*/src/validate\\.js:${LINES.compare}:\\d+\\n`));
    assert.match(text, /\n {7}limit = 10000\n/);
    assert.match(text, /\n {2}watch limit \* 2 = 20000(\n|$)/);

    const list = (await cli(['probe', 'list'])).stdout;
    assert.match(list, new RegExp(`${id}  svc  src/validate\\.js:${LINES.compare}  snapshot watch amount, limit \\* 2  \\[(expired|bound) on 1\\]`));
  });

  it('places metrics and prints their windows', async () => {
    const value = json((await cli(['probe', 'add', '--service', 'svc', '--file', 'src/validate.js', '--line', String(LINES.compare), '--metric', 'value', '--expr', 'limit', '--json'])).stdout)[0]!;
    const count = json((await cli(['probe', 'add', '--service', 'svc', '--file', 'src/validate.js', '--line', String(LINES.compare), '--metric', 'count', '--json'])).stdout)[0]!;
    const windows = async (id: string) => {
      for (let i = 0; i < 100; i++, await new Promise((r) => setTimeout(r, 100))) {
        const ws = json((await cli(['evidence', '--probe', id, '--json'])).stdout).filter((w) => (w.count as number) > 0);
        if (ws.length) return ws;
      }
      throw new Error(`no metric windows for ${id}`);
    };
    const [v] = await windows(value.id as string);
    assert.deepEqual([v!.kind, v!.metric, v!.min, v!.max, v!.p50], ['metric', 'value', 10000, 10000, 10000]);
    await windows(count.id as string);
    const text = (await cli(['evidence', '--probe', value.id as string])).stdout;
    assert.match(text, new RegExp(`${value.id}  value count=\\d+ min=10000 p50=10000 p95=10000 p99=10000 max=10000 mean=10000 in [\\d.]+s`));
    assert.match((await cli(['evidence', '--probe', count.id as string])).stdout, new RegExp(`${count.id}  count count=\\d+ in [\\d.]+s`));
  });

  it('fails on a file no instance has loaded (by status code), and on mixed-up flags', async () => {
    const missing = await cli(['probe', 'add', '--service', 'svc', '--file', 'src/nowhere.js', '--line', '3', '--snapshot', '--wait', '3000']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /not placed: no loaded script matches "src\/nowhere\.js" yet; the probe binds when it loads \(use --pending to keep it until the file loads\)/);
    const both = await cli(['probe', 'add', '--service', 'svc', '--file', 'a.js', '--line', '1', '--snapshot', '--log', 'x']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /choose one of --log, --snapshot/);
    const noExpr = await cli(['probe', 'add', '--service', 'svc', '--file', 'a.js', '--line', '1', '--metric', 'value']);
    assert.equal(noExpr.code, 2);
    assert.match(noExpr.stderr, /--metric value needs --expr EXPR/);
    const watchOnLog = await cli(['probe', 'add', '--service', 'svc', '--file', 'a.js', '--line', '1', '--log', 'x', '--watch', 'y']);
    assert.equal(watchOnLog.code, 2);
    assert.match(watchOnLog.stderr, /--watch does not apply to this kind of probe/);
  });
});
