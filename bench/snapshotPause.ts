import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RelayClient } from '../backend/client/relayClient';
import { startRelay } from '../backend/relay';

const ROOT = path.resolve(__dirname, '../..');
const APP = path.join(ROOT, 'bench/fixtures/snapshot-app.js');
const BASELINE = path.join(ROOT, 'bench/fixtures/pause-baseline.js');
const REGISTER = path.join(ROOT, 'dist/agent/register.js');
const PROBE_LINE = 14;

/** inject: the capture injected into the code (default); paused: a pausing breakpoint read from the worker. */
export type SnapshotTier = 'inject' | 'paused';

interface PauseResult {
  label: string;
  tier: SnapshotTier;
  /** Main-thread pause per snapshot (ms), measured around the probed call by the app itself. */
  mainP50: number;
  mainP95: number;
  /** The same pause as the agent measured it (paused event → resumed). */
  agentP50: number;
  snapshots: number;
}

/** A bare pause+resume from a worker session, timed by the main thread: the floor, measured in the same run. */
export async function pauseFloor(): Promise<{ p50: number; p95: number }> {
  const child = spawn(process.execPath, [BASELINE], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const m = /pause ([\d.]+) ([\d.]+)/.exec(out);
  if (!m) throw new Error(`bench: the pause baseline printed nothing (${out})`);
  return { p50: Number(m[1]), p95: Number(m[2]) };
}

/**
 * The snapshot probe's main-thread pause: a function called every 2 ms at a given stack depth, a snapshot probe
 * at 10/s for `hits` hits with the default limits; the app times each call and the slow ones are the pauses.
 * The CPU budget is lifted: 10 pausing snapshots a second (~2.5 ms each) are over its 1% of a core, and these rows
 * time each pause, not the budget (which until session 7 they passed only thanks to a second-long initial burst).
 */
export async function benchSnapshotPause(opts: { hits: number; depths: number[]; tiers?: SnapshotTier[] }): Promise<PauseResult[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtruth-bench-snap-'));
  const relay = await startRelay({ host: '127.0.0.1', port: 0, dataDir, log: () => undefined });
  const client = await RelayClient.connect({ relay: relay.url, token: fs.readFileSync(relay.adminTokenFile, 'utf8').trim() });
  const agentKey = fs.readFileSync(relay.agentKeyFile, 'utf8').trim();
  const results: PauseResult[] = [];
  try {
    // the tiers alternate per depth, so both see the same machine load
    for (const depth of opts.depths) for (const tier of opts.tiers ?? ['inject', 'paused']) results.push(await scenario(relay.url, agentKey, client, depth, opts.hits, tier));
  } finally {
    client.close();
    await relay.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return results;
}

async function scenario(relayUrl: string, agentKey: string, client: RelayClient, depth: number, hits: number, tier: SnapshotTier): Promise<PauseResult> {
  const service = `bench-snap-${depth}-${tier}`;
  const child = spawn(process.execPath, ['--require', REGISTER, APP], {
    env: { ...process.env, DEPTH: String(depth), RUNTRUTH_CPU_BUDGET: '100%', RUNTRUTH_RELAY: relayUrl, RUNTRUTH_AGENT_KEY: agentKey, RUNTRUTH_SERVICE: service },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const slow: number[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n')) {
      const m = /^slow ([\d.]+)/.exec(line);
      if (m) slow.push(Number(m[1]));
    }
  });
  try {
    await until(async () => (await client.request('services.list', {})).services.find((s) => s.service === service)?.instances.some((i) => i.connected), 10_000);
    await new Promise((r) => setTimeout(r, 500));
    slow.length = 0; // start-up noise
    // asking for the callers' locals is what takes the paused tier (an injected capture sees its own frame's scope)
    const chosen = { ...(tier === 'paused' ? { expandFrames: 5 } : {}), ...(process.env.BENCH_SNAPSHOT_LIMITS ? (JSON.parse(process.env.BENCH_SNAPSHOT_LIMITS) as Record<string, number>) : {}) };
    const limits = Object.keys(chosen).length ? { limits: chosen } : {};
    const view = await client.request('probe.add', { probe: { kind: 'snapshot', selector: { service }, file: 'bench/fixtures/snapshot-app.js', line: PROBE_LINE, maxHits: hits, maxPerSecond: 10, ...limits } });
    const items = await until(async () => {
      const r = await client.request('evidence.query', { probeId: view.probe.id, limit: hits });
      const snaps = r.items.filter((i) => i.kind === 'snapshot');
      return snaps.length >= hits ? snaps : undefined;
    }, 30_000);
    await new Promise((r) => setTimeout(r, 200));
    const pauses = slow.sort((a, b) => b - a).slice(0, hits).sort((a, b) => a - b);
    const agent = items.map((i) => (i.kind === 'snapshot' ? (i.pauseMs ?? 0) : 0)).sort((a, b) => a - b);
    const bound = (await client.request('probe.list', {})).probes.find((p) => p.probe.id === view.probe.id);
    const tierSeen = bound?.statuses?.[0]?.tier;
    if (tierSeen && (tierSeen === 'inject') !== (tier === 'inject')) throw new Error(`bench: the ${tier} scenario ran on tier ${tierSeen}`);
    return { label: `${depth + 5} frames`, tier, mainP50: pct(pauses, 0.5), mainP95: pct(pauses, 0.95), agentP50: pct(agent, 0.5), snapshots: items.length };
  } finally {
    child.kill('SIGKILL');
  }
}

/** Both tiers side by side with the bare pause floor measured before and after, as report lines. */
export async function snapshotPauseReport(opts: { hits: number; depths: number[] }): Promise<string[]> {
  const floor = await pauseFloor();
  const rows = await benchSnapshotPause(opts);
  const floorAfter = await pauseFloor();
  const base = (floor.p50 + floorAfter.p50) / 2;
  const lines = [
    `snapshot pause, main thread (limits ${process.env.BENCH_SNAPSHOT_LIMITS ?? 'default: 20 frames, depth 3; paused tier with locals of 5 frames'}); ${opts.hits} snapshots each`,
    `  bare pause+resume (floor, same run): p50 ${floor.p50.toFixed(3)} / ${floorAfter.p50.toFixed(3)} ms (before / after)`,
  ];
  const ms = (v: number) => (Number.isNaN(v) ? '<0.020' : v.toFixed(3));
  for (const r of rows) {
    lines.push(
      `  ${r.label.padEnd(11)} ${r.tier.padEnd(6)} p50 ${ms(r.mainP50)} ms (${(r.mainP50 / base).toFixed(2)}× floor)  p95 ${ms(r.mainP95)} ms  agent-measured p50 ${r.agentP50.toFixed(3)} ms  (${r.snapshots} snapshots)`,
    );
  }
  return lines;
}

function pct(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN;
}

async function until<T>(probe: () => Promise<T | undefined | false>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error('bench: timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

if (require.main === module) {
  (async () => {
    for (const line of await snapshotPauseReport({ hits: 40, depths: [0, 20, 200] })) console.log(line);
  })()
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
