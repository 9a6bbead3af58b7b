/**
 * Relay benchmark: one relay process, N simulated agents and M clients on loopback (`benchRelay()` for a runner).
 *   node dist/bench/relay.js [--agents 1000] [--clients 20] [--seconds 10] [--rates 10000,20000,40000]
 * Measures: time for a probe to reach every matching agent, sustained evidence events/s delivered to
 * clients, p50/p99 hit-to-client latency, relay memory. Each client watches its own probe (its shard of
 * agents), as a person debugging one thing would.
 */
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { RelayClient } from '../backend/client/relayClient';
import { PROTOCOL_VERSION, type Evidence } from '../backend/protocol';
import { ask, startRelayProcess, stopRelayProcess } from './relayProcess';

export interface RelayBenchOptions {
  agents: number;
  clients: number;
  /** Length of each rate step. */
  seconds: number;
  /** Offered evidence rates (events/s), one step each. */
  rates: number[];
  /** Agents that do not number their batches (no acks): the pre-ack protocol, as a side-by-side baseline. */
  unackedAgents?: boolean;
}

/** Each agent sends a batch every SEND_EVERY ticks; agents are staggered so the load is spread over the interval. */
const TICK_MS = 10;
const SEND_EVERY = 5;

/** Speaks the agent protocol as the real agent does: numbered evidence batches that the relay acks once stored. */
class SimAgent {
  readonly probes = new Set<string>();
  private seq = 0;
  private numbered = true;
  acked = 0;
  onProbe: ((id: string) => void) | undefined;
  private constructor(
    readonly ws: WebSocket,
    readonly shard: number,
  ) {}

  static connect(url: string, key: string, i: number, shards: number, acked = true): Promise<SimAgent> {
    const ws = new WebSocket(`${url}/agent`, { perMessageDeflate: false });
    const agent = new SimAgent(ws, i % shards);
    agent.numbered = acked;
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () =>
        ws.send(
          JSON.stringify({
            type: 'agent.hello',
            protocol: PROTOCOL_VERSION,
            agentKey: key,
            instance: {
              service: 'bench',
              labels: { shard: String(agent.shard) },
              instanceId: `bench-${i}`,
              host: 'bench',
              pid: i,
              runtime: { name: 'node', version: process.version },
              startedAt: new Date().toISOString(),
              agentVersion: 'bench',
              mode: 'in-process',
            },
            ...(acked ? { evidenceStream: `bench-${i}` } : {}),
          }),
        ),
      );
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type: string; probe?: { id: string }; probes?: { id: string }[]; seq?: number };
        if (msg.type === 'evidence.ack') agent.acked = msg.seq!;
        if (msg.type === 'probe.sync') resolve(agent);
        if (msg.type === 'probe.add' && msg.probe) {
          agent.probes.add(msg.probe.id);
          agent.onProbe?.(msg.probe.id);
        }
      });
    });
  }

  send(probeId: string, count: number): void {
    if (count === 0) return;
    const at = new Date().toISOString();
    const sentAt = performance.now().toFixed(3);
    const items = Array.from({ length: count }, () => ({ kind: 'log', probeId, at, message: `t=${sentAt} amount=15000 currency=EUR user=u-12345` }));
    this.ws.send(JSON.stringify({ type: 'evidence', items, ...(this.numbered ? { seq: ++this.seq } : {}) }));
  }
}

/** CPU seconds the relay process has used (Linux /proc; NaN elsewhere): robust to a busy machine, unlike latency. */
function cpuSecondsOf(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/**
 * The first seconds of a run are reported apart as well: every agent starts sending at once, onto a relay whose
 * evidence path is not compiled yet (what a relay restart looks like). The overall figure keeps them.
 */
const WARM_UP_MS = 2000;

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

/** Runs the benchmark; resolves with one line per measurement (also printed as they come). */
export async function benchRelay(opts: RelayBenchOptions): Promise<string[]> {
  const { agents: agentCount, clients: clientCount, seconds, rates } = opts;
  const out: string[] = [];
  const report = (line: string) => {
    out.push(line);
    console.log(line);
  };
  const { child, info } = await startRelayProcess();
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
  try {
    const t0 = performance.now();
    const agents: SimAgent[] = [];
    for (let i = 0; i < agentCount; i += 100) {
      agents.push(...(await Promise.all(Array.from({ length: Math.min(100, agentCount - i) }, (_, j) => SimAgent.connect(info.url, info.agentKey, i + j, clientCount, !opts.unackedAgents)))));
    }
    report(`${agentCount} ${opts.unackedAgents ? 'unacked (pre-ack protocol) ' : ''}agents connected in ${(performance.now() - t0).toFixed(0)} ms`);

    const admin = await RelayClient.connect({ relay: info.url, token: info.adminToken, clientName: 'bench-admin' });
    // probe fan-out: one probe every agent matches; timed from the request to the last agent's probe.add
    const fanout = async (): Promise<number> => {
      let pending = agents.length;
      let done!: () => void;
      const all = new Promise<void>((r) => (done = r));
      for (const a of agents) a.onProbe = () => --pending === 0 && done();
      const start = performance.now();
      await admin.request('probe.add', { probe: { kind: 'log', selector: { service: 'bench' }, file: 'src/all.js', line: 1, template: 'x' } });
      await all;
      const ms = performance.now() - start;
      for (const a of agents) a.onProbe = undefined;
      return ms;
    };
    const fanouts = [await fanout(), await fanout(), await fanout()];
    report(`probe reaches all ${agentCount} agents: ${fanouts.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`);

    // one probe and one watching client per shard
    const clients: { client: RelayClient; probeId: string }[] = [];
    const latencies: number[] = [];
    /** Latencies of hits sent once the run was past its first seconds (the relay's JIT and caches warmed up). */
    const steadyLatencies: number[] = [];
    let steadyFrom = Infinity;
    let delivered = 0;
    let gaps = 0;
    for (let shard = 0; shard < clientCount; shard++) {
      const client = await RelayClient.connect({ relay: info.url, token: info.adminToken, clientName: `bench-${shard}` });
      const view = await client.request('probe.add', { probe: { kind: 'log', selector: { service: 'bench', labels: { shard: String(shard) } }, file: 'src/validate.js', line: 13, template: 'amount={amount}' } });
      await client.subscribe({ probeId: view.probe.id }, (items: Evidence[]) => {
        const now = performance.now();
        for (const item of items) {
          if (item.kind === 'gap') gaps += item.count;
          else if (item.kind === 'log') {
            delivered++;
            const sentAt = Number(item.message.slice(2, item.message.indexOf(' ')));
            latencies.push(now - sentAt);
            if (sentAt >= steadyFrom) steadyLatencies.push(now - sentAt);
          }
        }
      });
      clients.push({ client, probeId: view.probe.id });
    }
    const probeOf = (a: SimAgent) => clients[a.shard]!.probeId;
    await new Promise((r) => setTimeout(r, 500)); // let every probe.add land
    await ask(child, { memory: true }); // resets the relay's event-loop histogram: measure the runs only

    for (const rate of rates) {
      latencies.length = 0;
      steadyLatencies.length = 0;
      delivered = 0;
      gaps = 0;
      // owed by elapsed time, not by tick count: timers drift, the offered rate should not
      const perAgentPerMs = rate / 1000 / agents.length;
      const owed = new Float64Array(agents.length);
      const start = performance.now();
      steadyFrom = start + WARM_UP_MS;
      const lastAt = new Float64Array(agents.length).fill(start);
      const cpuBefore = process.cpuUsage();
      const relayCpuBefore = cpuSecondsOf(child.pid);
      const benchLoop = monitorEventLoopDelay({ resolution: 5 });
      benchLoop.enable();
      let sent = 0;
      let tick = 0;
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          const turn = tick++ % SEND_EVERY;
          agents.forEach((a, i) => {
            if (i % SEND_EVERY !== turn) return;
            const now = performance.now();
            owed[i]! += perAgentPerMs * (now - lastAt[i]!);
            lastAt[i] = now;
            const n = Math.floor(owed[i]!);
            owed[i]! -= n;
            a.send(probeOf(a), n);
            sent += n;
          });
          if (performance.now() - start >= seconds * 1000) {
            clearInterval(timer);
            resolve();
          }
        }, TICK_MS);
      });
      const sendSeconds = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const generatorCpu = ((cpu.user + cpu.system) / 1e6 / sendSeconds) * 100;
      benchLoop.disable();
      // drain: wait until delivery stops growing
      for (let last = -1; last !== delivered + gaps; ) {
        last = delivered + gaps;
        await new Promise((r) => setTimeout(r, 500));
      }
      const relayCpu = cpuSecondsOf(child.pid) - relayCpuBefore;
      const mem = await ask<{ rss: number; peakRss: number; loopP99Ms: number; loopMaxMs: number }>(child, { memory: true });
      latencies.sort((a, b) => a - b);
      steadyLatencies.sort((a, b) => a - b);
      report(
        `offered ${rate}/s: sent ${sent} in ${sendSeconds.toFixed(1)} s (${(sent / sendSeconds).toFixed(0)}/s), delivered ${delivered} ` +
          `(${((delivered / sent) * 100).toFixed(1)}%, ${(delivered / sendSeconds).toFixed(0)}/s), dropped ${gaps}; ` +
          `latency p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms (after the first ${WARM_UP_MS / 1000} s: p99 ${percentile(steadyLatencies, 99).toFixed(1)} ms); ` +
          `relay CPU ${((relayCpu / delivered) * 1e6).toFixed(0)} µs per delivered event, rss ${mb(mem.rss)} (peak ${mb(mem.peakRss)}), event-loop delay p99 ${mem.loopP99Ms.toFixed(0)} ms max ${mem.loopMaxMs.toFixed(0)} ms; load generator + clients at ${generatorCpu.toFixed(0)}% of a core, their event-loop delay p99 ${(benchLoop.percentile(99) / 1e6).toFixed(0)} ms`,
      );
    }
    for (const { client } of clients) await client.close();
    await admin.close();
    await Promise.all(agents.map((a) => new Promise<void>((r) => (a.ws.once('close', () => r()), a.ws.close()))));
  } finally {
    await stopRelayProcess(child);
  }
  return out;
}

if (require.main === module) {
  const { values } = parseArgs({ options: { agents: { type: 'string' }, clients: { type: 'string' }, seconds: { type: 'string' }, rates: { type: 'string' }, 'unacked-agents': { type: 'boolean' } } });
  benchRelay({
    agents: Number(values.agents ?? 1000),
    clients: Number(values.clients ?? 20),
    seconds: Number(values.seconds ?? 10),
    rates: (values.rates ?? '10000,20000,40000').split(',').map(Number),
    unackedAgents: values['unacked-agents'] ?? false,
  }).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
