import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { z } from 'zod';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RelayClient } from '../backend/client/relayClient';
import type { NewProbe, ProbeStatus } from '../backend/protocol';
import { benchAwaitCost } from './awaitCost';
import { benchEditPause } from './editPause';
import { load, LoadResult } from './load';
import { startRelayProcess, stopRelayProcess, type RelayProcessOptions } from './relayProcess';
import { snapshotPauseReport } from './snapshotPause';

const ROOT = path.resolve(__dirname, '../..');
const SERVER = path.join(ROOT, 'examples/checkout/src/server.js');
/** The same service with an async handler and 20 awaits a request (see the fixture). */
const ASYNC_SERVER = path.join(ROOT, 'bench/fixtures/async-checkout.js');
const HOT_LOOP = path.join(ROOT, 'bench/fixtures/hot-loop.js');
/** hot-loop.js under a bare V8 breakpoint (condition `false`), no agent: the breakpoint tier's floor. */
const RAW_BREAKPOINT = path.join(ROOT, 'bench/fixtures/raw-breakpoint.js');
const REGISTER = path.join(ROOT, 'dist/agent/register.js');

/**
 * taskset pins the service to core 0 and this process — the load generator — with the relay to core 1, when the
 * machine has two cores. Each side then has a core of its own: the service's req/s is what it can serve, not what a
 * generator sharing its core leaves it.
 */
const pin = fs.existsSync('/usr/bin/taskset') && os.cpus().length >= 2 ? ['taskset', '-c', '0'] : [];

/** Pins this process (every thread) to core 1 while the bench runs; returns what puts it back on every core. */
function pinSelf(): () => void {
  if (!pin.length) return () => undefined;
  const set = (cpus: string) => execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
  set('1');
  return () => set(`0-${os.cpus().length - 1}`);
}

/** Runs `run` against a relay in a process of its own, then closes the client and stops the relay, whichever step fails. */
async function withRelay<T>(options: RelayProcessOptions, run: (env: Env) => Promise<T>): Promise<T> {
  const relay = await startRelayProcess(options);
  try {
    const client = await RelayClient.connect({ relay: relay.info.url, token: relay.info.adminToken });
    try {
      const pauseRelay = (paused: boolean) => void relay.child.kill(paused ? 'SIGSTOP' : 'SIGCONT');
      try {
        return await run({ relayUrl: relay.info.url, agentKey: relay.info.agentKey, client, next: 0, pauseRelay });
      } finally {
        pauseRelay(false); // never leave it stopped: stopping it asks it to close
      }
    } finally {
      await client.close();
    }
  } finally {
    await stopRelayProcess(relay.child);
  }
}

interface Scenario {
  name: string;
  agent: boolean;
  probe?: Omit<NewProbe, 'selector'>;
  /** Runs this instead of the hot loop (a fixture that places its own breakpoint on the probed line), or of the HTTP service. */
  script?: string;
  /** Extra environment for the service (e.g. the agent's CPU budget). */
  env?: Record<string, string>;
}

interface Env {
  relayUrl: string;
  agentKey: string;
  client: RelayClient;
  /** Numbers each service started (its name), so statuses of one scenario never mix with another's. */
  next: number;
  /** Stops (SIGSTOP) or resumes the relay process: nothing of it runs meanwhile, and the agent's sends back up. */
  pauseRelay(paused: boolean): void;
}

async function startService(env: Env, scenario: Scenario, script: string, service: string): Promise<{ child: ChildProcess; port?: number; lines: string[] }> {
  const args = [...(scenario.agent ? ['--require', REGISTER] : []), script];
  const [cmd, ...pre] = pin.length ? [...pin, process.execPath] : [process.execPath];
  const child = spawn(cmd!, [...pre, ...args], {
    env: { ...process.env, ...scenario.env, PORT: '0', RUNTRUTH_RELAY: env.relayUrl, RUNTRUTH_AGENT_KEY: env.agentKey, RUNTRUTH_SERVICE: service },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let rest = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  if (script === SERVER || script === ASYNC_SERVER) {
    const port = await until(() => {
      const m = lines.map((l) => /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(l)).find(Boolean);
      return m ? Number(m[1]) : undefined;
    }, 10_000, 'service start');
    return { child, port, lines };
  }
  return { child, lines };
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Waits for the instance to connect, places the scenario's probe and waits until it is bound — or already taken
 * out by the CPU budget (a probe on a very hot line can be disabled before its `bound` status is read).
 */
async function arm(env: Env, scenario: Scenario, service: string): Promise<string | undefined> {
  if (!scenario.agent) return undefined;
  await until(async () => {
    const { services } = await env.client.request('services.list', {});
    return services.find((s) => s.service === service)?.instances.some((i) => i.connected) ? true : undefined;
  }, 10_000, `${service} to connect`);
  if (!scenario.probe) return undefined;
  const view = await env.client.request('probe.add', { probe: { ...scenario.probe, selector: { service } } as NewProbe });
  const statuses = await until(async () => {
    const { probes } = await env.client.request('probe.list', { service });
    const sts = probes.find((p) => p.probe.id === view.probe.id)?.statuses;
    return sts?.some((s) => s.state === 'bound' || s.code === 'budget') ? sts : undefined;
  }, 10_000, `probe ${view.probe.id} to bind`);
  // a row named for a tier must measure that tier (the agent may choose another, e.g. when an edit would pause too long)
  const wanted = /(?:^|: )(inject|breakpoint) tier/.exec(scenario.name)?.[1];
  const bound = statuses.find((s) => s.state === 'bound');
  if (wanted && bound?.tier && bound.tier !== wanted) throw new Error(`bench: "${scenario.name}" runs on the ${bound.tier} tier: ${bound.reason ?? ''}`);
  return view.probe.id;
}

const orders = [JSON.stringify({ amount: 15000 }), JSON.stringify({ amount: '15,000' }), JSON.stringify({ amount: 120 })];

/**
 * CPU time (ns, from /proc schedstat; 0 where there is none) of the service's main thread, and of all its threads:
 * the program's own thread, and the process with the agent's worker, V8's helpers and libuv's pool.
 */
function cpuNs(pid: number): { main: number; all: number } {
  const of = (task: string) => Number(fs.readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
  try {
    return { main: of(String(pid)), all: fs.readdirSync(`/proc/${pid}/task`).reduce((sum, task) => sum + of(task), 0) };
  } catch {
    return { main: 0, all: 0 };
  }
}

type HttpResult = LoadResult & { cpuUsPerRequest: number; processCpuUsPerRequest: number };

/** A running HTTP service with the scenario's probe in place, and the order bodies its load sends, in turn. */
interface LoadedService {
  port: number;
  pid: number;
  body: () => string;
}

/**
 * Starts the scenario's HTTP service, places its probe, warms the service up with a second of the given load, runs
 * `measure`, takes the probe out and stops the service (whichever step fails).
 */
async function withHttpService<T>(env: Env, scenario: Scenario, service: string, warmUp: { connections: number; rate?: number }, measure: (svc: LoadedService) => Promise<T>): Promise<T> {
  const svc = await startService(env, scenario, scenario.script ?? SERVER, service);
  try {
    const probeId = await arm(env, scenario, service);
    let n = 0;
    const loaded: LoadedService = { port: svc.port!, pid: svc.child.pid!, body: () => orders[n++ % 3]! };
    await load({ port: loaded.port, path: '/orders', body: loaded.body, ...warmUp, seconds: 1 });
    const result = await measure(loaded);
    if (probeId) await env.client.request('probe.remove', { probeId });
    return result;
  } finally {
    svc.child.kill('SIGKILL');
  }
}

/** One service run under load: closed loop (saturation), or open loop at `rate` requests/s. */
async function httpScenario(env: Env, scenario: Scenario, seconds: number, i: number, rate?: number): Promise<HttpResult> {
  const shape = { connections: rate ? 64 : 16, ...(rate ? { rate } : {}) }; // open loop: enough connections that a request due finds a free one
  return withHttpService(env, scenario, `bench-http-${i}`, shape, async ({ port, pid, body }) => {
    const before = cpuNs(pid);
    const r = await load({ port, path: '/orders', body, ...shape, seconds });
    const after = cpuNs(pid);
    const answered = r.requests + r.errors;
    return { ...r, cpuUsPerRequest: (after.main - before.main) / 1000 / answered, processCpuUsPerRequest: (after.all - before.all) / 1000 / answered };
  });
}

/** Batches after the first five that the hot loop runs before RSS is read again (growth with hits = a leak). */
const LATER_BATCHES = 25;

interface HotResult {
  nsPerCall: number;
  rssMB: number;
  hits: number;
  laterRssMB: number;
  laterHits: number;
  /** ns/call of every batch measured, in order (the first five, then the later ones). */
  batchNs: number[];
  /** The probe's status at the relay after the last batch, and every budget status it reported on the way. */
  finalStatus?: ProbeStatus;
  budgetStatuses: ProbeStatus[];
}

async function hotScenario(env: Env, scenario: Scenario, i: number): Promise<HotResult> {
  const service = `bench-hot-${i}`;
  const seen: ProbeStatus[] = [];
  const stopWatching = env.client.onStatus((_probeId, statuses) => seen.push(...statuses));
  const svc = await startService(env, scenario, scenario.script ?? HOT_LOOP, service);
  try {
    const probeId = await arm(env, scenario, service);
    const from = svc.lines.length + 2; // skip batches that may straddle the probe's arrival
    await until(() => (svc.lines.length >= from + 5 ? true : undefined), 30_000, 'hot-loop batches');
    const batches = svc.lines.slice(from, from + 5).map((l) => JSON.parse(l) as { nsPerCall: number; rss: number });
    const ns = batches.map((b) => b.nsPerCall).sort((a, b) => a - b)[2]!;
    const hitsIn = (bs: typeof batches) => (scenario.probe || scenario.script ? bs.reduce((sum, b) => sum + 200e6 / b.nsPerCall, 0) : 0); // each call runs the probed line
    await until(() => (svc.lines.length >= from + 5 + LATER_BATCHES ? true : undefined), 60_000, 'later hot-loop batches');
    const later = svc.lines.slice(from, from + 5 + LATER_BATCHES).map((l) => JSON.parse(l) as { nsPerCall: number; rss: number });
    const { probes } = probeId ? await env.client.request('probe.list', { service }) : { probes: [] };
    const finalStatus = probes.find((p) => p.probe.id === probeId)?.statuses[0];
    const budgetStatuses = seen.filter((s) => s.probeId === probeId && s.code === 'budget');
    const batchNs = later.map((b) => b.nsPerCall);
    return { nsPerCall: ns, rssMB: batches[4]!.rss / 1048576, hits: hitsIn(batches), laterRssMB: later.at(-1)!.rss / 1048576, laterHits: hitsIn(later), batchNs, finalStatus, budgetStatuses };
  } finally {
    stopWatching();
    svc.child.kill('SIGKILL');
  }
}

/** ns per call over batches of equal duration: their total time over their total calls (the harmonic mean). */
function wholeWindowNs(batchNs: number[]): number {
  return batchNs.length / batchNs.reduce((sum, ns) => sum + 1 / ns, 0);
}

const BREAKPOINT_TIER_NAME = 'breakpoint tier: logpoint, default rate';
const RAW_NAME = 'raw V8 breakpoint (condition false), no agent';

/** Share of one core the agent's CPU budget allows all probes together (agent/hook/cpuBudget.ts). */
const BUDGET_SHARE = 0.01;

/**
 * Each probe's CPU share, batch by batch: per-hit cost × hits per second / 1e9. In the hot loop every call runs the
 * probed line, so that is (ns/call − baseline ns/call) / ns/call: the part of the loop's time the probe takes.
 * Next to it, what the relay says about the probe: the CPU budget should throttle or disable one that is over.
 */
function budgetReport(scenarios: Scenario[], results: Map<string, HotResult>, baseNs: number): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const out = ['', `CPU budget (${pct(BUDGET_SHARE)} of a core over 2 s for all probes): the probe's CPU share per 200 ms batch, ${LATER_BATCHES + 5} batches`];
  out.push('| scenario | hits/s (median) | CPU share (median) | min – max | last batch | budget statuses seen | final status at the relay |', '|---|---|---|---|---|---|---|');
  for (const s of scenarios) {
    const r = results.get(s.name)!;
    const shares = r.batchNs.map((ns) => (ns - baseNs) / ns);
    const sorted = shares.slice().sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const hitsPerSecond = 1e9 / r.batchNs.slice().sort((a, b) => a - b)[Math.floor(r.batchNs.length / 2)]!;
    const seen = r.budgetStatuses.map((st) => (st.state === 'bound' ? 'throttled' : st.state === 'error' ? 'disabled' : st.state));
    const counts = [...new Set(seen)].map((what) => `${what} ×${seen.filter((x) => x === what).length}`).join(', ') || 'none';
    const f = r.finalStatus;
    const final = !f ? 'none' : f.code === 'budget' ? `${f.state === 'bound' ? 'throttled' : 'disabled'}: ${f.reason ?? ''}` : `${f.state}${f.code ? ` (${f.code})` : ''}${f.tier ? `, ${f.tier} tier` : ''}`;
    out.push(`| ${s.name} | ${Math.round(hitsPerSecond).toLocaleString('en-US')} | ${pct(median)} | ${pct(sorted[0]!)} – ${pct(sorted.at(-1)!)} | ${pct(shares.at(-1)!)} | ${counts} | ${final} |`);
  }
  return out;
}

const logpoint = (line: number, template: string): Omit<Extract<NewProbe, { kind: 'log' }>, 'selector'> => ({ kind: 'log', file: 'checkout/src/validate.js', line, template, maxPerSecond: 1_000_000 });

/**
 * The same logpoint in each tier. Line 12 starts a statement: the agent injects it (at the default rate, 5,000/s,
 * under the 1% CPU budget). Line 8 is inside validate()'s doc comment: no statement starts there, so the agent
 * runs it as a breakpoint, which V8 binds to the function's first line (10): same function, same values.
 */
const counter = (line: number): Omit<Extract<NewProbe, { kind: 'metric' }>, 'selector'> => ({ kind: 'metric', file: 'checkout/src/validate.js', line, metric: 'count' });
const injected = (template: string): Omit<Extract<NewProbe, { kind: 'log' }>, 'selector'> => ({ kind: 'log', file: 'checkout/src/validate.js', line: 12, template });
const onBreakpoint = (template: string): Omit<Extract<NewProbe, { kind: 'log' }>, 'selector'> => ({ kind: 'log', file: 'checkout/src/validate.js', line: 8, template });

/** Which parts of the agent benchmark to run, and which scenarios (by name) in them: everything by default. */
export interface AgentBenchOptions {
  seconds: number;
  rounds: number;
  parts?: ReadonlySet<Part>;
  /** Scenarios whose name matches (baselines always run: every row is a ratio to them). */
  match?: RegExp;
}

export async function benchAgent(opts: AgentBenchOptions): Promise<string[]> {
  const want = (part: Part) => !opts.parts || opts.parts.has(part);
  const picked = (s: Scenario, i: number) => i === 0 || !opts.match || opts.match.test(s.name);
  const out: string[] = [];
  const unpin = pinSelf();
  try {
    await withRelay({ nice: pin.length ? 19 : 0, quiet: true }, async (env) => {
      if (want('http')) out.push(...(await httpReport(env, opts, picked)));
      if (want('async')) out.push('', ...(await httpReport(env, opts, picked, asyncScenarios(), 'Async HTTP service (20 awaits a request)')));
      if (want('phased')) out.push('', ...(await phasedReport(env, opts.rounds * 5)));
      if (want('capacity')) out.push(...(await capacityReport(opts, picked)));
      if (want('hot')) out.push(...(await hotReport(env, picked)));
      if (want('memory')) out.push(...(await memoryReport(env)));
    });
  } finally {
    unpin(); // every path: a failed start must not leave this process on one core
  }
  if (want('snapshot')) out.push('', ...(await snapshotPauseReport({ hits: 30, depths: [0, 20] })));
  if (want('edit')) out.push('', ...(await benchEditPause({ rounds: Math.min(opts.rounds, 3), mb: 3.7 })));
  if (want('await')) out.push('', ...(await benchAwaitCost({ rounds: opts.rounds })));
  return out;
}

/** The HTTP rows: the same service with each probe on validate()'s request path (see injected and onBreakpoint). */
const httpScenarios = (): Scenario[] => [
  { name: 'no agent (baseline)', agent: false },
  { name: 'agent attached, no probes', agent: true },
  { name: 'inject tier: logpoint, every hit (maxPerSecond 1M)', agent: true, probe: logpoint(12, 'amount={amount} t={typeof amount}') },
  { name: 'inject tier: logpoint, default rate', agent: true, probe: injected('amount={order.amount} t={typeof order.amount}') },
  { name: 'inject tier: condition never true', agent: true, probe: { ...injected('x={order.amount}'), condition: 'order.amount === -1' } },
  { name: 'inject tier: counter', agent: true, probe: counter(12) },
  { name: 'breakpoint tier: logpoint, default rate', agent: true, probe: onBreakpoint('amount={order.amount} t={typeof order.amount}') },
  { name: 'breakpoint tier: condition never true', agent: true, probe: { ...onBreakpoint('x={order.amount}'), condition: 'order.amount === -1' } },
];

/**
 * The async service's rows: V8's Debugger domain, on while a breakpoint-tier probe is held, sends every await
 * through V8's slow path; an idle agent and an injected probe leave it off.
 */
const asyncScenarios = (): Scenario[] => [
  { name: 'async service: no agent (baseline)', agent: false, script: ASYNC_SERVER },
  { name: 'async service: agent attached, no probes', agent: true, script: ASYNC_SERVER },
  { name: 'async service: inject tier: logpoint, default rate', agent: true, script: ASYNC_SERVER, probe: injected('amount={order.amount} t={typeof order.amount}') },
  { name: 'async service: inject tier: counter', agent: true, script: ASYNC_SERVER, probe: counter(12) },
  { name: 'async service: breakpoint tier: logpoint, default rate', agent: true, script: ASYNC_SERVER, probe: onBreakpoint('amount={order.amount} t={typeof order.amount}') },
];

/** Runs each scenario `rounds` times, the rounds interleaved so a drift in the machine's load spreads over all. */
async function httpRounds(env: Env, scenarios: Scenario[], opts: AgentBenchOptions, rate?: number): Promise<Map<string, HttpResult[]>> {
  const results = new Map<string, HttpResult[]>();
  for (let round = 0; round < opts.rounds; round++) {
    for (const s of scenarios) results.set(s.name, [...(results.get(s.name) ?? []), await httpScenario(env, s, opts.seconds, env.next++, rate)]);
  }
  return results;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
/** The median of one figure over a scenario's rounds. */
const of = (rs: HttpResult[], f: (r: HttpResult) => number) => median(rs.map(f));
const pinning = () => (pin.length ? 'service alone on core 0, load generator and relay (nice 19) on core 1' : 'not pinned: fewer than two cores or no taskset');

async function httpReport(env: Env, opts: AgentBenchOptions, picked: (s: Scenario, i: number) => boolean, scenarios = httpScenarios(), title = 'HTTP service'): Promise<string[]> {
  const out: string[] = [];
  const http = scenarios.filter(picked);
  const results = await httpRounds(env, http, opts);
  const base = results.get(http[0]!.name)!;
  const [baseRps, baseMain, baseAll, baseP50, baseP99] = [of(base, (r) => r.rps), of(base, (r) => r.cpuUsPerRequest), of(base, (r) => r.processCpuUsPerRequest), of(base, (r) => r.p50ms), of(base, (r) => r.p99ms)];
  out.push(`${title} at saturation (closed loop, 16 connections, ${opts.seconds}s × ${opts.rounds} rounds, median; ${pinning()})`);
  out.push("CPU per request: the program's own thread (main), and every thread of the service (process: the agent's worker, V8's helpers); both move with how batched requests arrive");
  out.push('| scenario | req/s | ratio | p50 ms (ratio) | p99 ms (ratio) | main-thread CPU µs/req (ratio) | process CPU µs/req (ratio) | errors |', '|---|---|---|---|---|---|---|---|');
  for (const s of http) {
    const rs = results.get(s.name)!;
    const [rps, p50, p99, main, all] = [of(rs, (r) => r.rps), of(rs, (r) => r.p50ms), of(rs, (r) => r.p99ms), of(rs, (r) => r.cpuUsPerRequest), of(rs, (r) => r.processCpuUsPerRequest)];
    out.push(
      `| ${s.name} | ${rps.toFixed(0)} | ${(rps / baseRps).toFixed(3)} | ${p50.toFixed(2)} (${(p50 / baseP50).toFixed(2)}) | ${p99.toFixed(2)} (${(p99 / baseP99).toFixed(2)}) | ${main.toFixed(1)} (${(main / baseMain).toFixed(3)}) | ${all.toFixed(1)} (${(all / baseAll).toFixed(3)}) | ${rs.reduce((a, r) => a + r.errors, 0)} |`,
    );
  }
  return out;
}

/** The phased rows' probes admit hits only in the first second of every two (by the service's clock). */
const PHASE_MS = 1000;
const PHASE_CONDITION = `Date.now() % ${2 * PHASE_MS} < ${PHASE_MS}`;
/** A window starts this long into its phase (the condition has flipped, the last window's requests are answered). */
const PHASE_LEAD_MS = 30;
const PHASE_WINDOW_S = 0.9;

interface PhasedRow {
  scenario: Scenario;
  /** The relay stopped (SIGSTOP) during each window: nothing but the generator runs on its core then. */
  relayStopped: boolean;
}

/** Phased rows: a probe's condition switches its hits on and off each second; the relay storing them, or stopped. */
const phasedRows = (): PhasedRow[] => {
  const log = { ...injected('amount={order.amount} t={typeof order.amount}'), condition: PHASE_CONDITION };
  const count = { ...counter(12), condition: PHASE_CONDITION };
  const row = (name: string, probe: Scenario['probe'], relayStopped: boolean): PhasedRow => ({ scenario: { name, agent: !!probe, ...(probe ? { probe, env: NO_BUDGET } : {}) }, relayStopped });
  return [
    row('no agent (the method\'s own bias)', undefined, false),
    row('inject tier: logpoint, default rate', log, false),
    row('inject tier: logpoint, default rate', log, true),
    row('inject tier: counter', count, false),
    row('inject tier: counter', count, true),
  ];
};

/**
 * The closed-loop rows move with anything that runs on the generator's core, the relay storing evidence included.
 * These rows take that apart within one service process: the probe's condition admits hits in every other second
 * (budget lifted, so it never pauses), and 0.9 s closed-loop windows alternate between its on and off seconds
 * (which comes first alternates too: a fixed order read 0.98 with no agent). The ratio on ÷ off is what the hits
 * cost the service at saturation; the off seconds still evaluate the condition. With the relay stopped during the
 * windows, the agent still renders each hit and queues it (the socket backs up; it sends on between windows): what
 * is left is the agent's own cost on the service's core.
 */
async function phasedReport(env: Env, pairs: number): Promise<string[]> {
  const out = [
    `HTTP service at saturation, one process each row, hits on and off by the second (closed loop, 16 connections, ${pairs} pairs of ${PHASE_WINDOW_S} s windows, median; ${pinning()})`,
    '| scenario | relay | req/s, hits on | req/s, hits off | ratio on ÷ off | main-thread CPU µs/req on ÷ off |',
    '|---|---|---|---|---|---|',
  ];
  for (const row of phasedRows()) {
    const { on, off } = await phasedRun(env, row, pairs, env.next++);
    const [onRps, offRps, onCpu, offCpu] = [median(on.map((w) => w.rps)), median(off.map((w) => w.rps)), median(on.map((w) => w.cpuUs)), median(off.map((w) => w.cpuUs))];
    const relay = !row.scenario.agent ? '-' : row.relayStopped ? 'stopped' : 'storing each hit';
    out.push(`| ${row.scenario.name} | ${relay} | ${onRps.toFixed(0)} | ${offRps.toFixed(0)} | **${(onRps / offRps).toFixed(3)}** | ${(onCpu / offCpu).toFixed(3)} |`);
  }
  return out;
}

async function phasedRun(env: Env, row: PhasedRow, pairs: number, i: number): Promise<{ on: PhaseWindow[]; off: PhaseWindow[] }> {
  return withHttpService(env, row.scenario, `bench-phased-${i}`, { connections: 16 }, async ({ port, pid, body }) => {
    const windows = { on: [] as PhaseWindow[], off: [] as PhaseWindow[] };
    for (let k = 0; k < pairs; k++) {
      for (const hitsOn of k % 2 ? [false, true] : [true, false]) {
        (hitsOn ? windows.on : windows.off).push(await phaseWindow(port, pid, hitsOn, body, row.relayStopped ? env.pauseRelay : undefined));
      }
    }
    return windows;
  });
}

interface PhaseWindow {
  rps: number;
  cpuUs: number;
}

/**
 * One closed-loop window inside the next on (or off) second of the probe's condition. `pauseRelay`: the relay is
 * stopped for the window only (it catches up in the gap before the next; stopped longer, the agent's heartbeat
 * would drop the connection and re-dial).
 */
async function phaseWindow(port: number, pid: number, hitsOn: boolean, body: () => string, pauseRelay?: (paused: boolean) => void): Promise<PhaseWindow> {
  const start = (hitsOn ? 0 : PHASE_MS) + PHASE_LEAD_MS;
  await new Promise((r) => setTimeout(r, (start - (Date.now() % (2 * PHASE_MS)) + 2 * PHASE_MS) % (2 * PHASE_MS)));
  pauseRelay?.(true);
  try {
    const before = cpuNs(pid).main;
    const r = await load({ port, path: '/orders', body, connections: 16, seconds: PHASE_WINDOW_S });
    return { rps: r.rps, cpuUs: (cpuNs(pid).main - before) / 1000 / (r.requests + r.errors) };
  } finally {
    pauseRelay?.(false);
  }
}

/** The open loop's offered rate, as a part of the baseline's saturation req/s measured just before. */
const CAPACITY_LOAD = 0.6;

/** chrt runs the capacity bench's relay under SCHED_IDLE on the service's core (see capacityReport). */
const idleRelay = pin.length > 0 && fs.existsSync('/usr/bin/chrt');

/**
 * The HTTP rows at a fixed offered rate (open loop, below saturation): CPU the whole service process spends per
 * request. On one core, the req/s a service can reach is the inverse of that, so the ratio of baseline to scenario
 * is its capacity at saturation. The closed-loop rows cannot show it on a two-core machine: the relay shares the
 * load generator's core, and anything running there moves the service's own figures (with no agent at all, a
 * nice-19 process busy 20% of the time on that core cut the service's req/s by 17% and raised its main-thread CPU
 * per request by 18%: its requests arrive less batched and each response wakes a busier core). Here the relay runs
 * on the service's core under SCHED_IDLE — only in the time the service leaves idle, which its CPU figures do not
 * count — and the generator has its core to itself.
 */
async function capacityReport(opts: AgentBenchOptions, picked: (s: Scenario, i: number) => boolean): Promise<string[]> {
  return withRelay({ quiet: true, ...(idleRelay ? { idleOn: '0' } : { nice: pin.length ? 19 : 0 }) }, (env) => capacityRows(env, opts, picked));
}

async function capacityRows(env: Env, opts: AgentBenchOptions, picked: (s: Scenario, i: number) => boolean): Promise<string[]> {
  const http = httpScenarios().filter(picked);
  const saturation = await httpScenario(env, http[0]!, opts.seconds, env.next++);
  const rate = Math.round((saturation.rps * CAPACITY_LOAD) / 1000) * 1000;
  const results = await httpRounds(env, http, opts, rate);
  const base = results.get(http[0]!.name)!;
  const [baseAll, baseMain, baseP50, baseP99] = [of(base, (r) => r.processCpuUsPerRequest), of(base, (r) => r.cpuUsPerRequest), of(base, (r) => r.p50ms), of(base, (r) => r.p99ms)];
  const out = [
    '',
    `HTTP service at a fixed ${rate.toLocaleString('en-US')} req/s (open loop, 64 connections; ${Math.round(CAPACITY_LOAD * 100)}% of the baseline's ${Math.round(saturation.rps).toLocaleString('en-US')} req/s at saturation just before; ${opts.seconds}s × ${opts.rounds} rounds, median; ${idleRelay ? 'service on core 0 with the relay under SCHED_IDLE, load generator alone on core 1' : pinning()})`,
    'process CPU per request: every thread of the service (the agent\'s worker too); capacity = baseline ÷ scenario, the req/s the service reaches at saturation on its core; latency from when each request was due',
    '| scenario | answered req/s | process CPU µs/req | capacity | main-thread CPU µs/req (ratio) | p50 ms (ratio) | p99 ms (ratio) | unsent, errors |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const s of http) {
    const rs = results.get(s.name)!;
    const [all, main, p50, p99] = [of(rs, (r) => r.processCpuUsPerRequest), of(rs, (r) => r.cpuUsPerRequest), of(rs, (r) => r.p50ms), of(rs, (r) => r.p99ms)];
    const lost = rs.reduce((a, r) => a + r.unsent, 0);
    out.push(
      `| ${s.name} | ${of(rs, (r) => r.rps).toFixed(0)} | ${all.toFixed(2)} | ${(baseAll / all).toFixed(3)} | ${main.toFixed(2)} (${(main / baseMain).toFixed(3)}) | ${p50.toFixed(2)} (${(p50 / baseP50).toFixed(2)}) | ${p99.toFixed(2)} (${(p99 / baseP99).toFixed(2)}) | ${lost}, ${rs.reduce((a, r) => a + r.errors, 0)} |`,
    );
  }
  return out;
}

/** The agent's CPU budget lifted to a whole core: the hot-loop per-hit rows measure a probe that stays in place. */
const NO_BUDGET = { RUNTRUTH_CPU_BUDGET: '100%' };

async function hotReport(env: Env, picked: (s: Scenario, i: number) => boolean): Promise<string[]> {
  const out: string[] = [];
  const perHit: Scenario[] = [
    { name: 'no agent (baseline)', agent: false },
    { name: 'agent attached, no probes', agent: true },
    { name: 'inject tier: logpoint, every hit (maxPerSecond 1M)', agent: true, probe: logpoint(12, 'a={amount}'), env: NO_BUDGET },
    { name: 'inject tier: logpoint, default rate', agent: true, probe: injected('a={order.amount}'), env: NO_BUDGET },
    { name: 'inject tier: condition never true', agent: true, probe: { ...injected('a={order.amount}'), condition: 'order.amount === -1' }, env: NO_BUDGET },
    { name: 'inject tier: counter', agent: true, probe: counter(12), env: NO_BUDGET },
    { name: BREAKPOINT_TIER_NAME, agent: true, probe: onBreakpoint('a={order.amount}'), env: NO_BUDGET },
    { name: RAW_NAME, agent: false, script: RAW_BREAKPOINT },
  ].filter(picked);
  out.push('', 'Hot function (validate() in a tight loop, median of 5 batches of 200 ms; hits: calls of the probed line in them)');
  out.push(`probes here run with the CPU budget lifted (${NO_BUDGET.RUNTRUTH_CPU_BUDGET}): what one hit costs; the budget's own table follows`);
  const later = `${LATER_BATCHES * 0.2} s later`;
  out.push(`| scenario | ns/call | per-hit cost ns | hits | RSS MB | hits ${later} | RSS MB ${later} | RSS vs idle agent ${later} MB |`, '|---|---|---|---|---|---|---|---|');
  let baseNs = 0;
  let idleRss = 0;
  const hotResults = new Map<string, HotResult>();
  for (const s of perHit) {
    const r = await hotScenario(env, s, env.next++);
    hotResults.set(s.name, r);
    if (!baseNs) baseNs = r.nsPerCall;
    if (s.agent && !s.probe) idleRss = r.laterRssMB;
    const rssDelta = s.probe && idleRss ? (r.laterRssMB - idleRss).toFixed(1) : '';
    const count = (n: number) => (n ? Math.round(n).toLocaleString('en-US') : '');
    out.push(`| ${s.name} | ${r.nsPerCall.toFixed(1)} | ${(r.nsPerCall - baseNs).toFixed(1)} | ${count(r.hits)} | ${r.rssMB.toFixed(0)} | ${count(r.laterHits)} | ${r.laterRssMB.toFixed(0)} | ${rssDelta} |`);
  }
  const [tier, raw] = [hotResults.get(BREAKPOINT_TIER_NAME), hotResults.get(RAW_NAME)];
  if (tier && raw) {
    const [tierNs, rawNs] = [tier.nsPerCall - baseNs, raw.nsPerCall - baseNs];
    out.push('', `breakpoint tier / raw V8 breakpoint (per-hit cost): ${(tierNs / 1000).toFixed(1)} µs / ${(rawNs / 1000).toFixed(1)} µs = ${(tierNs / rawNs).toFixed(2)}× (target ≤ 1.2×)`);
    // A breakpoint hit's cost climbs between full GCs (V8's locals-blocklist cache grows until one clears it), so
    // five batches can catch either side of a GC: the whole window, all batches' calls over all their time, spans several.
    const [tierAll, rawAll] = [wholeWindowNs(tier.batchNs) - baseNs, wholeWindowNs(raw.batchNs) - baseNs];
    out.push(`the same over all ${tier.batchNs.length} batches (${(tier.batchNs.length * 0.2).toFixed(0)} s): ${(tierAll / 1000).toFixed(1)} µs / ${(rawAll / 1000).toFixed(1)} µs = ${(tierAll / rawAll).toFixed(2)}×`);
  }
  // the same probes under the default budget (1% of a core): it must take each out of the hot line
  const budgeted = perHit.filter((s) => s.probe).map(({ env: _lifted, ...s }) => s);
  const budgetResults = new Map<string, HotResult>();
  for (const s of budgeted) budgetResults.set(s.name, await hotScenario(env, s, env.next++));
  out.push(...budgetReport(budgeted, budgetResults, baseNs));
  return out;
}

/** Hits the memory row runs to (the issue's figure), and how fast the logpoint may render them. */
const MEMORY_HITS = 1_000_000;
const MEMORY_HITS_PER_SECOND = 25_000;
/** Where the agent is warm (heaps sized to the flow): growth from here to MEMORY_HITS is what a leak would show. */
const MEMORY_WARM_HITS = 100_000;
/** How long the service runs on once the probe is removed, before the last reading. */
const MEMORY_SETTLE_MS = 20_000;

/**
 * RSS around a million rendered hits: a logpoint admitting 25,000 hits/s on the hot loop (budget lifted), every
 * hit rendered, redacted, batched and sent to the relay; then the probe is removed and the service runs on. The
 * idle agent runs as long beside it. Three readings, since each answers a different question: growth from the warm
 * point (100,000 hits) to 1,000,000 is what a leak shows; the live probe against the idle agent is the working set
 * of a busy agent (young generations at full size, frames held until acked); the reading after removal is what
 * the hits left behind.
 */
async function memoryReport(env: Env): Promise<string[]> {
  const probe = { ...logpoint(12, 'amount={amount} t={typeof amount}'), maxPerSecond: MEMORY_HITS_PER_SECOND };
  const hitsOf = async (service: string, probeId: string) => {
    const { probes } = await env.client.request('probe.list', { service });
    return probes.find((p) => p.probe.id === probeId)?.statuses[0]?.hits ?? 0;
  };
  const rssOf = (lines: string[]) => (JSON.parse(lines.at(-1)!) as { rss: number }).rss / 1048576;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // the probe's run first: it says how long the idle agent then runs
  const scenario: Scenario = { name: 'memory', agent: true, probe, env: NO_BUDGET };
  let service = `bench-mem-${env.next++}`;
  let svc = await startService(env, scenario, HOT_LOOP, service);
  let withHits: { atStart: number; warm: number; end: number; settled: number; hits: number; seconds: number };
  try {
    const probeId = (await arm(env, scenario, service))!;
    await until(() => (svc.lines.length >= 2 ? true : undefined), 10_000, 'first batches');
    const t0 = Date.now();
    const atStart = rssOf(svc.lines);
    let warm = 0;
    const hits = await until(async () => {
      const n = await hitsOf(service, probeId);
      if (!warm && n >= MEMORY_WARM_HITS) warm = rssOf(svc.lines);
      return n >= MEMORY_HITS ? n : undefined;
    }, (MEMORY_HITS / MEMORY_HITS_PER_SECOND) * 3000, `${MEMORY_HITS} hits`);
    const end = rssOf(svc.lines);
    const seconds = (Date.now() - t0) / 1000;
    await env.client.request('probe.remove', { probeId });
    await sleep(MEMORY_SETTLE_MS);
    withHits = { atStart, warm, end, settled: rssOf(svc.lines), hits, seconds };
  } finally {
    svc.child.kill('SIGKILL');
  }
  service = `bench-mem-${env.next++}`;
  svc = await startService(env, { name: 'idle', agent: true }, HOT_LOOP, service);
  let idle: { atStart: number; end: number; settled: number };
  try {
    await arm(env, { name: 'idle', agent: true }, service);
    await until(() => (svc.lines.length >= 2 ? true : undefined), 10_000, 'first batches');
    const atStart = rssOf(svc.lines);
    await sleep(withHits.seconds * 1000);
    const end = rssOf(svc.lines);
    await sleep(MEMORY_SETTLE_MS);
    idle = { atStart, end, settled: rssOf(svc.lines) };
  } finally {
    svc.child.kill('SIGKILL');
  }
  const mb = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
  const n = (x: number) => x.toLocaleString('en-US');
  const settle = `${MEMORY_SETTLE_MS / 1000} s later`;
  return [
    '',
    `Memory: a logpoint rendering every hit at up to ${n(MEMORY_HITS_PER_SECOND)}/s on the hot loop until the relay counts ${n(MEMORY_HITS)} hits, then removed; the idle agent beside it for as long`,
    `| scenario | RSS MB at start | at ${n(MEMORY_WARM_HITS)} hits | at ${n(MEMORY_HITS)} hits | probe removed, ${settle} | hits | seconds |`,
    '|---|---|---|---|---|---|---|',
    `| logpoint | ${withHits.atStart.toFixed(1)} | ${withHits.warm.toFixed(1)} | ${withHits.end.toFixed(1)} | ${withHits.settled.toFixed(1)} | ${n(withHits.hits)} | ${withHits.seconds.toFixed(0)} |`,
    `| idle agent | ${idle.atStart.toFixed(1)} |  | ${idle.end.toFixed(1)} | ${idle.settled.toFixed(1)} |  | ${withHits.seconds.toFixed(0)} |`,
    '',
    `RSS growth from ${n(MEMORY_WARM_HITS)} to ${n(MEMORY_HITS)} hits (a leak shows here): ${mb(withHits.end - withHits.warm)} MB; over the whole run: ${mb(withHits.end - withHits.atStart)} MB (target ≤ +10 MB)`,
    `RSS vs the idle agent: with the probe live at ${n(MEMORY_HITS)} hits ${mb(withHits.end - idle.end)} MB (a busy agent's working set); probe removed, ${settle}: ${mb(withHits.settled - idle.settled)} MB`,
  ];
}

type Part = z.infer<typeof Part>;
const Part = z.enum(['http', 'async', 'phased', 'capacity', 'hot', 'memory', 'snapshot', 'edit', 'await']);
const BenchArgs = z.tuple([
  z.coerce.number().positive().default(5),
  z.coerce.number().int().positive().default(3),
  z.string().transform((text) => new Set(text.split(','))).pipe(z.set(Part)).optional(),
  z.string().transform((source, ctx) => {
    try {
      return new RegExp(source);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `not a regular expression: ${(e as Error).message}` });
      return z.NEVER;
    }
  }).optional(),
]);

// `node dist/bench/agentBench.js [seconds] [rounds] [http,async,phased,capacity,hot,memory,snapshot,edit,await] [scenario name regex]`: this benchmark alone
if (require.main === module) {
  const args = BenchArgs.safeParse(process.argv.slice(2));
  if (!args.success) {
    console.error(`usage: node dist/bench/agentBench.js [seconds] [rounds] [http,async,phased,capacity,hot,memory,snapshot,edit,await] [scenario name regex]\n${args.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')}`);
    process.exit(2);
  }
  const [seconds, rounds, parts, match] = args.data;
  benchAgent({ seconds, rounds, ...(parts ? { parts } : {}), ...(match ? { match } : {}) })
    .then((lines) => lines.forEach((line) => console.log(line)))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
