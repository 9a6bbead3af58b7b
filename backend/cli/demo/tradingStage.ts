import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RelayClient } from '../../client/relayClient';
import { startRelay } from '../../relay';
import { buildAt, RunningService, startTradingService } from './tradingService';
import { startTradeFlow, TradeResponse } from './tradingTraffic';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildTradingRepo } = require('../../../../examples/trading/history.js') as {
  buildTradingRepo(dir: string): TradingHistory;
};

export interface TradingHistory {
  commits: Array<{ sha: string; message: string; culprit: boolean }>;
  culprit: { sha: string; message: string };
  deployed: string;
  fix: { sha: string; message: string };
}

export const SERVICE = 'trading';
export const QUESTION = 'Why are high-value trades no longer sent to fraud review since the last deploy?';

/**
 * The incident, staged and still running: relay, the trading repository, the service deployed twice (the
 * second deploy carries the culprit), live traffic, and the alert's numbers. The headless demo investigates it
 * from the CLI; the VS Code end-to-end test and `demo --ide` investigate it from the editor.
 */
export interface TradingStage {
  /** The demo's temporary folder (removed on stop). */
  work: string;
  relayUrl: string;
  dataDir: string;
  repo: string;
  /** The relay's admin token (a person's token for the demo: it approves, the assistant proposes). */
  token: string;
  history: TradingHistory;
  client: RelayClient;
  deployedAt: Date;
  reviewRate: { before: number; after: number };
  service(): RunningService | undefined;
  deploy(ref: string, label: string): Promise<string>;
  /** The share of trades sent to review during the next `seconds`. */
  measure(seconds: number): Promise<number>;
  /** Every response per deployed commit (for the read-only check). */
  byVersion: Map<string, Array<{ i: number; res: TradeResponse }>>;
  pids: number[];
  /** Runs on stop(), before the stage's own cleanup (last registered, first run). */
  onStop(cleanup: () => unknown): void;
  stop(): Promise<void>;
}

export async function startTradingStage(opts: { port?: number; print: (line: string) => void; work?: string }): Promise<TradingStage> {
  const say = opts.print;
  const work = opts.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'runtruth-demo-'));
  fs.mkdirSync(work, { recursive: true });
  const cleanups: Array<() => unknown> = [() => fs.rmSync(work, { recursive: true, force: true })];
  const stop = async () => {
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve().then(c).catch(() => undefined);
  };
  try {
    const dataDir = path.join(work, 'relay');
    const relay = await startRelayOn(opts.port ?? 7070, dataDir);
    cleanups.push(() => relay.close());
    say(`» relay on ${relay.url} (embedded SQLite: ${path.join(dataDir, 'relay.db')})`);

    const repo = path.join(work, 'trading');
    const history = buildTradingRepo(repo);
    say(`» trading service repository: ${history.commits.length} commits (${repo})`);
    const agentKey = fs.readFileSync(relay.agentKeyFile, 'utf8').trim();
    const token = fs.readFileSync(relay.adminTokenFile, 'utf8').trim();
    const client = await RelayClient.connect({ relay: relay.url, token, clientName: 'runtruth-demo' });
    cleanups.push(() => client.close());
    const env = { relay: relay.url, agentKey, service: SERVICE };

    let service: RunningService | undefined;
    const pids: number[] = [];
    cleanups.push(() => service?.stop());
    const deploy = async (ref: string, label: string) => {
      const sha = buildAt(repo, ref);
      await service?.stop();
      service = await startTradingService(repo, env);
      pids.push(service.child.pid!);
      say(`» deploy ${sha.slice(0, 8)} (${label}): pid ${service.child.pid} on port ${service.port}, agent preloaded`);
      return sha;
    };
    const flow = startTradeFlow(() => service?.port, 25);
    cleanups.push(() => flow.stop());
    const byVersion = new Map<string, Array<{ i: number; res: TradeResponse }>>();
    const measure = async (seconds: number) => {
      const from = flow.responses.length;
      await sleep(seconds * 1000);
      const rs = flow.responses.slice(from);
      const commit = service!.commit;
      byVersion.set(commit, [...(byVersion.get(commit) ?? []), ...rs]);
      return rs.length ? rs.filter((r) => r.res.status === 'review').length / rs.length : 0;
    };

    const previous = history.commits[history.commits.length - 4]!; // the deploy before the culprit
    await deploy(previous.sha, 'last week');
    const before = await measure(2);
    const deployedAt = new Date();
    await deploy(history.deployed, 'today');
    const after = await measure(2);
    say(`» ALERT review rate for high-value trades fell from ${pct(before)} to ${pct(after)} after deploy ${history.deployed.slice(0, 8)} — no errors, no exceptions`);
    return {
      work,
      relayUrl: relay.url,
      dataDir,
      repo,
      token,
      history,
      client,
      deployedAt,
      reviewRate: { before, after },
      service: () => service,
      deploy,
      measure,
      byVersion,
      pids,
      onStop: (c) => void cleanups.push(c),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function startRelayOn(port: number, dataDir: string) {
  try {
    return await startRelay({ host: '127.0.0.1', port, dataDir, log: () => undefined });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    return startRelay({ host: '127.0.0.1', port: 0, dataDir, log: () => undefined }); // 7070 taken: any free port
  }
}

export const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
