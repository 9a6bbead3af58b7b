import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RelayClient } from '../backend/client/relayClient';
import type { NewProbe } from '../backend/protocol';
import { startRelay } from '../backend/relay';
import { load, LoadResult } from './load';

const ROOT = path.resolve(__dirname, '../..');
const SERVER = path.join(ROOT, 'examples/checkout/src/server.js');
const HOT_LOOP = path.join(ROOT, 'bench/fixtures/hot-loop.js');
const REGISTER = path.join(ROOT, 'dist/agent/register.js');

/** taskset pins the service to core 0 and leaves core 1 to the load generator, when the machine has it. */
const pin = fs.existsSync('/usr/bin/taskset') && os.cpus().length >= 2 ? ['taskset', '-c', '0'] : [];

interface Scenario {
  name: string;
  agent: boolean;
  probe?: Omit<NewProbe, 'selector'>;
}

interface Env {
  relayUrl: string;
  agentKey: string;
  client: RelayClient;
}

async function startService(env: Env, scenario: Scenario, script: string, service: string): Promise<{ child: ChildProcess; port?: number; lines: string[] }> {
  const args = [...(scenario.agent ? ['--require', REGISTER] : []), script];
  const [cmd, ...pre] = pin.length ? [...pin, process.execPath] : [process.execPath];
  const child = spawn(cmd!, [...pre, ...args], {
    env: { ...process.env, PORT: '0', RUNTRUTH_RELAY: env.relayUrl, RUNTRUTH_AGENT_KEY: env.agentKey, RUNTRUTH_SERVICE: service },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let rest = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  if (script === SERVER) {
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

/** Waits for the instance to connect, places the scenario's probe and waits until it is bound. */
async function arm(env: Env, scenario: Scenario, service: string): Promise<string | undefined> {
  if (!scenario.agent) return undefined;
  await until(async () => {
    const { services } = await env.client.request('services.list', {});
    return services.find((s) => s.service === service)?.instances.some((i) => i.connected) ? true : undefined;
  }, 10_000, `${service} to connect`);
  if (!scenario.probe) return undefined;
  const view = await env.client.request('probe.add', { probe: { ...scenario.probe, selector: { service } } as NewProbe });
  await until(async () => {
    const { probes } = await env.client.request('probe.list', { service });
    return probes.find((p) => p.probe.id === view.probe.id)?.statuses.some((s) => s.state === 'bound') ? true : undefined;
  }, 10_000, `probe ${view.probe.id} to bind`);
  return view.probe.id;
}

const orders = [JSON.stringify({ amount: 15000 }), JSON.stringify({ amount: '15,000' }), JSON.stringify({ amount: 120 })];

async function httpScenario(env: Env, scenario: Scenario, seconds: number, i: number): Promise<LoadResult> {
  const service = `bench-http-${i}`;
  const svc = await startService(env, scenario, SERVER, service);
  try {
    const probeId = await arm(env, scenario, service);
    let n = 0;
    await load({ port: svc.port!, path: '/orders', body: () => orders[n++ % 3]!, connections: 16, seconds: 1 }); // warm-up
    const r = await load({ port: svc.port!, path: '/orders', body: () => orders[n++ % 3]!, connections: 16, seconds });
    if (probeId) await env.client.request('probe.remove', { probeId });
    return r;
  } finally {
    svc.child.kill('SIGKILL');
  }
}

async function hotScenario(env: Env, scenario: Scenario, i: number): Promise<{ nsPerCall: number; rssMB: number }> {
  const service = `bench-hot-${i}`;
  const svc = await startService(env, scenario, HOT_LOOP, service);
  try {
    await arm(env, scenario, service);
    const from = svc.lines.length + 2; // skip batches that may straddle the probe's arrival
    await until(() => (svc.lines.length >= from + 5 ? true : undefined), 30_000, 'hot-loop batches');
    const batches = svc.lines.slice(from, from + 5).map((l) => JSON.parse(l) as { nsPerCall: number; rss: number });
    const ns = batches.map((b) => b.nsPerCall).sort((a, b) => a - b)[2]!;
    return { nsPerCall: ns, rssMB: batches[4]!.rss / 1048576 };
  } finally {
    svc.child.kill('SIGKILL');
  }
}

const logpoint = (line: number, template: string): Omit<NewProbe, 'selector'> => ({ kind: 'log', file: 'checkout/src/validate.js', line, template, maxPerSecond: 1_000_000 });

export async function benchAgent(opts: { seconds: number; rounds: number }): Promise<string[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtruth-bench-'));
  const relay = await startRelay({ host: '127.0.0.1', port: 0, dataDir, log: () => undefined });
  const client = await RelayClient.connect({ relay: relay.url, token: fs.readFileSync(relay.adminTokenFile, 'utf8').trim() });
  const env: Env = { relayUrl: relay.url, agentKey: fs.readFileSync(relay.agentKeyFile, 'utf8').trim(), client };
  const out: string[] = [];
  try {
    const http: Scenario[] = [
      { name: 'no agent (baseline)', agent: false },
      { name: 'agent attached, no probes', agent: true },
      { name: 'logpoint on the request path', agent: true, probe: logpoint(12, 'amount={amount} t={typeof amount}') },
      { name: 'logpoint, condition never true', agent: true, probe: { ...logpoint(12, 'x={amount}'), condition: 'amount === -1' } },
    ];
    const results = new Map<string, LoadResult[]>();
    let i = 0;
    for (let round = 0; round < opts.rounds; round++) {
      for (const s of http) results.set(s.name, [...(results.get(s.name) ?? []), await httpScenario(env, s, opts.seconds, i++)]);
    }
    const med = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const base = results.get(http[0]!.name)!;
    const baseRps = med(base.map((r) => r.rps));
    out.push(`HTTP service at saturation (16 connections, ${opts.seconds}s × ${opts.rounds} rounds, median; service pinned: ${pin.length ? 'yes' : 'no'})`);
    out.push('| scenario | req/s | ratio | p50 ms | p99 ms | errors |', '|---|---|---|---|---|---|');
    for (const s of http) {
      const rs = results.get(s.name)!;
      const rps = med(rs.map((r) => r.rps));
      out.push(`| ${s.name} | ${rps.toFixed(0)} | ${(rps / baseRps).toFixed(3)} | ${med(rs.map((r) => r.p50ms)).toFixed(2)} | ${med(rs.map((r) => r.p99ms)).toFixed(2)} | ${rs.reduce((a, r) => a + r.errors, 0)} |`);
    }

    const hot: Scenario[] = [
      { name: 'no agent (baseline)', agent: false },
      { name: 'agent attached, no probes', agent: true },
      { name: 'logpoint in the hot function', agent: true, probe: logpoint(12, 'a={amount}') },
    ];
    out.push('', 'Hot function (validate() in a tight loop, median of 5 batches of 200 ms)');
    out.push('| scenario | ns/call | per-hit cost µs | RSS MB |', '|---|---|---|---|');
    let baseNs = 0;
    for (const s of hot) {
      const r = await hotScenario(env, s, i++);
      if (!baseNs) baseNs = r.nsPerCall;
      out.push(`| ${s.name} | ${r.nsPerCall.toFixed(1)} | ${((r.nsPerCall - baseNs) / 1000).toFixed(3)} | ${r.rssMB.toFixed(0)} |`);
    }
  } finally {
    await client.close();
    await relay.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return out;
}
