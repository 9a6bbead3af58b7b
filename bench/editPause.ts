/**
 * How long placing and removing a probe stops a service whose code is one large bundle.
 *   node dist/bench/editPause.js [rounds] [bundle MB]
 * A live edit recompiles the whole script on the main thread, so the agent puts a probe whose edit it expects to
 * pause the program over maxEditPauseMs (default 100 ms) on the breakpoint tier. Side by side, each in a fresh
 * process: no probe (the service's own longest stall: the baseline), a probe in the bundle under the default
 * limit (breakpoint tier), the same probe with the limit lifted (injected: an edit of the whole bundle each way),
 * a probe in a small module of the same service, and that probe again in a service keeping 300 MB of small objects
 * (an edit walks every live object of the heap).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { localRounds, median, sleep, until, type ScenarioEnv } from './localRelay';

const REGISTER = path.resolve(__dirname, '../agent/register.js');

/** A bundle-like script: `modules` filler modules (three functions each, as bundlers emit them), then hot() on HOT_LINE. */
function bundleSource(mb: number): { source: string; hotLine: number } {
  const parts: string[] = ["'use strict';", 'const modules = [];'];
  let size = 0;
  for (let i = 0; size < mb * 1e6; i++) {
    const line = `modules.push(function module${i}(x) { const a = x + ${i}; function inner(y) { return y * 2 + a; } const o = { k: 'value${i}', n: ${i}, f: inner }; return o.f(a) + o.n; });`;
    parts.push(line);
    size += line.length + 1;
  }
  const hotLine = parts.length + 2;
  parts.push('function hot(x) {', '  let total = 0;', '  for (let i = 0; i < 10; i++) total += modules[i](x);', '  return total;', '}', 'module.exports = { hot };', '');
  return { source: parts.join('\n'), hotLine };
}

const SMALL_JS = `'use strict';
function small(x) {
  const doubled = x * 2;
  return doubled + 1;
}
module.exports = { small };
`;
const SMALL_LINE = 4;

/**
 * Calls both modules every 5 ms; a 1 ms timer finds the longest stall; IPC "max" prints it (since the last ask).
 * HEAP_MB keeps about that much heap live in small objects (a service's caches and sessions).
 */
const APP_JS = `'use strict';
globalThis.kept = [];
for (let i = 0; i < Number(process.env.HEAP_MB || 0) * 6_500; i++) kept.push({ i, s: 'x' + i, a: [i] });
const { hot } = require('./bundle');
const { small } = require('./small');
let last = performance.now(), max = 0;
setInterval(() => { const now = performance.now(); max = Math.max(max, now - last); last = now; }, 1);
setInterval(() => { hot(1); small(2); }, 5);
process.on('message', (m) => { if (m === 'max') { process.send({ max }); max = 0; } });
console.log('ready');
`;

interface Scenario {
  name: string;
  /** Which module the probe goes in (none: the baseline). */
  where?: 'bundle' | 'small';
  env?: NodeJS.ProcessEnv;
}

const SCENARIOS: Scenario[] = [
  { name: 'no probe (baseline)' },
  { name: 'probe in the bundle, default limit', where: 'bundle' },
  { name: 'probe in the bundle, limit lifted', where: 'bundle', env: { RUNTRUTH_MAX_EDIT_PAUSE_MS: '60000' } },
  { name: 'probe in a small module beside it', where: 'small' },
  { name: 'probe in the small module, 300 MB heap, default limit', where: 'small', env: { HEAP_MB: '300' } },
  { name: 'probe in the small module, 300 MB heap, limit lifted', where: 'small', env: { HEAP_MB: '300', RUNTRUTH_MAX_EDIT_PAUSE_MS: '60000' } },
];

interface Row {
  tier: string;
  /** Longest main-thread stall (ms) while the probe was placed and ran for a second, and while it was removed. */
  place: number;
  remove: number;
}

export async function benchEditPause(opts: { rounds: number; mb: number }): Promise<string[]> {
  const { source, hotLine } = bundleSource(opts.mb);
  const files = { 'bundle.js': source, 'small.js': SMALL_JS, 'app.js': APP_JS };
  const results = await localRounds({ name: 'edit', files, scenarios: SCENARIOS, rounds: opts.rounds }, (s, env) => scenario(s, { ...env, hotLine }));
  const base = results.get(SCENARIOS[0]!.name)!;
  const basePlace = median(base.map((r) => r.place));
  const out = [
    `probe placement on a service whose code is one ${(source.length / 1e6).toFixed(1)} MB bundle: longest main-thread stall, placing (and a second of hits) / removing; ${opts.rounds} rounds, median, each in a fresh process`,
    '| scenario | tier | stall placing, ms (× baseline) | stall removing, ms |',
    '|---|---|---|---|',
  ];
  for (const s of SCENARIOS) {
    const rows = results.get(s.name)!;
    const place = median(rows.map((r) => r.place));
    const remove = median(rows.map((r) => r.remove));
    out.push(`| ${s.name} | ${rows[0]!.tier} | ${place.toFixed(1)} (${(place / basePlace).toFixed(1)}×) | ${remove.toFixed(1)} |`);
  }
  return out;
}

async function scenario(s: Scenario, env: ScenarioEnv & { hotLine: number }): Promise<Row> {
  const child = spawn(process.execPath, ['--require', REGISTER, path.join(env.dir, 'app.js')], {
    env: { ...process.env, ...s.env, RUNTRUTH_RELAY: env.relayUrl, RUNTRUTH_AGENT_KEY: env.agentKey, RUNTRUTH_SERVICE: env.service },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    await until(async () => (await env.client.request('services.list', {})).services.find((x) => x.service === env.service)?.instances.some((i) => i.connected), 15_000);
    await sleep(1000); // start-up (Debugger.enable, first compiles) is not what this measures
    await maxStall(child);
    if (!s.where) {
      await sleep(1500);
      const place = await maxStall(child);
      await sleep(500);
      return { tier: '-', place, remove: await maxStall(child) };
    }
    const probe = s.where === 'bundle' ? { file: 'bundle.js', line: env.hotLine } : { file: 'small.js', line: SMALL_LINE };
    const view = await env.client.request('probe.add', { probe: { kind: 'log', selector: { service: env.service }, template: 'x={x}', ...probe } });
    const tier = await until(async () => {
      const listed = (await env.client.request('probe.list', { service: env.service })).probes.find((p) => p.probe.id === view.probe.id);
      return listed?.statuses.find((st) => st.state === 'bound')?.tier;
    }, 30_000);
    await sleep(1000); // its first hits: a breakpoint's first one prepares the function for debugging
    const place = await maxStall(child);
    await env.client.request('probe.remove', { probeId: view.probe.id });
    await sleep(2000);
    return { tier, place, remove: await maxStall(child) };
  } finally {
    child.kill('SIGKILL');
  }
}

/** The app's longest stall since the last ask (ms). */
function maxStall(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve((m as { max: number }).max));
    child.send('max');
  });
}


if (require.main === module) {
  benchEditPause({ rounds: Number(process.argv[2] ?? 3), mb: Number(process.argv[3] ?? 3.7) })
    .then((lines) => lines.forEach((l) => console.log(l)))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
