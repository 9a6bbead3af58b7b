/**
 * What the agent costs code that awaits and code that compiles at run time.
 *   node dist/bench/awaitCost.js [rounds]
 * With V8's Debugger domain on, every `await` takes V8's slow path and every compiled script is reported to the
 * inspector session, so the agent keeps the domain off unless a probe needs it. Side by side, each in a fresh
 * process: no agent (the baseline), the agent idle, the agent holding one injected probe on a line that never runs
 * (the domain off once it is in the code), and one on the breakpoint tier (the domain on). The injected row keeps
 * ~12% of the domain's cost for good: turning the debugger on invalidates V8's promise-hook protector, which never
 * comes back (as any async hook does; see the README).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { localRounds, median, sleep, until, type ScenarioEnv } from './localRelay';

const REGISTER = path.resolve(__dirname, '../agent/register.js');

/** On IPC "measure": ns per async call awaiting two others, µs per `new Function`; the median of three runs each. */
const APP_JS = `'use strict';
async function leaf(x) { return x + 1; }
async function mid(x) { return (await leaf(x)) + (await leaf(x)); }
function cold(x) {
  const doubled = x * 2;
  return {
    doubled,
  };
}
const median = (xs) => xs.sort((a, b) => a - b)[1];
async function awaitNs() {
  const n = 200000, t = performance.now();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await mid(i);
  return ((performance.now() - t) * 1e6) / n + sum * 0;
}
function compileUs() {
  const n = 20000, t = performance.now();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += new Function('a', 'return a + ' + i)(1);
  return ((performance.now() - t) * 1e3) / n + sum * 0;
}
process.on('message', async (m) => {
  if (m !== 'measure') return;
  const a = [], c = [];
  for (let k = 0; k < 3; k++) { a.push(await awaitNs()); c.push(compileUs()); }
  process.send({ awaitNs: median(a), compileUs: median(c) });
});
setInterval(() => cold, 1000);
console.log('ready');
`;
/** A statement starts here (the probe is injected) / does not (inside a literal: the breakpoint tier). */
const COLD_LINES = { inject: 5, breakpoint: 7 } as const;

interface Scenario {
  name: string;
  agent: boolean;
  probe?: 'inject' | 'breakpoint';
}

const SCENARIOS: Scenario[] = [
  { name: 'no agent (baseline)', agent: false },
  { name: 'agent attached, no probes (Debugger domain off)', agent: true },
  { name: 'agent holding one injected probe on a line that never runs (domain off once it is in)', agent: true, probe: 'inject' },
  { name: 'agent holding one breakpoint-tier probe on a line that never runs (domain on)', agent: true, probe: 'breakpoint' },
];

interface Measured {
  awaitNs: number;
  compileUs: number;
}

export async function benchAwaitCost(opts: { rounds: number }): Promise<string[]> {
  const results = await localRounds({ name: 'await', files: { 'app.js': APP_JS }, scenarios: SCENARIOS, rounds: opts.rounds }, scenario);
  const base = results.get(SCENARIOS[0]!.name)!;
  const [baseAwait, baseCompile] = [median(base.map((m) => m.awaitNs)), median(base.map((m) => m.compileUs))];
  const out = [
    `await and run-time compile cost (an async function awaiting two others; new Function), ${opts.rounds} rounds, median, each in a fresh process`,
    '| scenario | ns per async call (× baseline) | µs per new Function (× baseline) |',
    '|---|---|---|',
  ];
  for (const s of SCENARIOS) {
    const ms = results.get(s.name)!;
    const [a, c] = [median(ms.map((m) => m.awaitNs)), median(ms.map((m) => m.compileUs))];
    out.push(`| ${s.name} | ${a.toFixed(0)} (${(a / baseAwait).toFixed(2)}×) | ${c.toFixed(1)} (${(c / baseCompile).toFixed(2)}×) |`);
  }
  return out;
}

async function scenario(s: Scenario, env: ScenarioEnv): Promise<Measured> {
  const child = spawn(process.execPath, [...(s.agent ? ['--require', REGISTER] : []), path.join(env.dir, 'app.js')], {
    env: { ...process.env, RUNTRUTH_RELAY: env.relayUrl, RUNTRUTH_AGENT_KEY: env.agentKey, RUNTRUTH_SERVICE: env.service },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    if (s.agent) await until(async () => (await env.client.request('services.list', {})).services.find((x) => x.service === env.service)?.instances.some((i) => i.connected), 15_000);
    if (s.probe) {
      const view = await env.client.request('probe.add', { probe: { kind: 'log', selector: { service: env.service }, file: 'app.js', line: COLD_LINES[s.probe], template: 'x={x}' } });
      const tier = await until(async () => (await env.client.request('probe.list', { service: env.service })).probes.find((p) => p.probe.id === view.probe.id)?.statuses.find((st) => st.state === 'bound')?.tier, 15_000);
      if (tier !== s.probe) throw new Error(`bench: the probe runs on the ${tier} tier`);
    }
    await sleep(s.probe ? 5000 : 500); // the agent turns the domain off after two idle checks, 2 s apart
    return await measure(child);
  } finally {
    child.kill('SIGKILL');
  }
}

function measure(child: ChildProcess): Promise<Measured> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as Measured));
    child.send('measure');
  });
}


if (require.main === module) {
  benchAwaitCost({ rounds: Number(process.argv[2] ?? 3) })
    .then((lines) => lines.forEach((l) => console.log(l)))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
