import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lowRiskApprover } from '../../../extension/core/assistant/approval';
import { investigate } from '../../../extension/core/assistant/investigator';
import type { InvestigationResult } from '../../../extension/core/assistant/result';
import { relayRuntime } from '../../../extension/core/assistant/runtime';
import { RelayClient } from '../../client/relayClient';
import type { Evidence } from '../../protocol';
import { startRelay } from '../../relay';
import { describe as describeEvent } from '../commands/investigate';
import { buildAt, RunningService, startTradingService } from './tradingService';
import { startTradeFlow, tradeFor, TradeResponse } from './tradingTraffic';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildTradingRepo } = require('../../../../examples/trading/history.js') as {
  buildTradingRepo(dir: string): { commits: Array<{ sha: string; message: string; culprit: boolean }>; culprit: { sha: string; message: string }; deployed: string; fix: { sha: string; message: string } };
};

export const SERVICE = 'trading';
export const QUESTION = 'Why are high-value trades no longer sent to fraud review since the last deploy?';

export interface DemoOutcome {
  relayUrl: string;
  dataDir: string;
  repo: string;
  culprit: string;
  deployed: string;
  fix: string;
  reviewRate: { before: number; after: number; fixed: number };
  result: InvestigationResult;
  report: string;
  /** After the fix, the investigation's probes saw numeric notionals only (and this many hits). */
  fixCheck: { hits: number; stringNotionals: number; passed: boolean };
  /** Identical orders got identical answers from each deployed version, probes or not. */
  responsesUnchanged: boolean;
  probeIds: string[];
  /** Audit actions recorded per probe (from the relay's tamper-evident log). */
  audit: Record<string, string[]>;
  /** Every process the demo started (services), to check nothing is left running. */
  pids: number[];
}

export interface DemoHandle {
  outcome: DemoOutcome;
  stop(): Promise<void>;
}

/**
 * The headline demo: a trading service deploys a commit that silently stops flagging high-value trades; the
 * review-rate alert fires; the built-in investigator proposes probes (approved by policy), confirms the
 * culprit with runtime evidence, and the fix is deployed and re-checked with the same probes.
 */
export async function runTradingDemo(opts: { port?: number; print: (line: string) => void }): Promise<DemoHandle> {
  const say = opts.print;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'runtruth-demo-'));
  const cleanups: Array<() => unknown> = [() => fs.rmSync(work, { recursive: true, force: true })];
  const stop = async () => {
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve().then(c).catch(() => undefined);
  };
  try {
    const dataDir = path.join(work, 'relay');
    const relay = await startRelayOn(opts.port ?? 7070, dataDir);
    cleanups.push(() => relay.close());
    say(`» relay on ${relay.url} (embedded SQLite: ${path.join(dataDir, 'relay.db')})`);

    const repoDir = path.join(work, 'trading');
    const history = buildTradingRepo(repoDir);
    say(`» trading service repository: ${history.commits.length} commits (${repoDir})`);
    const agentKey = fs.readFileSync(relay.agentKeyFile, 'utf8').trim();
    const token = fs.readFileSync(relay.adminTokenFile, 'utf8').trim();
    const client = await RelayClient.connect({ relay: relay.url, token, clientName: 'runtruth-demo' });
    cleanups.push(() => client.close());
    const env = { relay: relay.url, agentKey, service: SERVICE };

    let service: RunningService | undefined;
    const pids: number[] = [];
    cleanups.push(() => service?.stop());
    const deploy = async (ref: string, label: string) => {
      const sha = buildAt(repoDir, ref);
      await service?.stop();
      service = await startTradingService(repoDir, env);
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

    say(`» investigating: ${QUESTION}`);
    const { result, report } = await investigate({
      question: QUESTION,
      repo: repoDir,
      runtime: relayRuntime(client),
      approver: lowRiskApprover(client, (line) => say(`  ! ${line}`)),
      service: SERVICE,
      incidentAt: deployedAt,
      keepProbes: true, // the same probes watch the fix
      maxMinutes: 3,
      onEvent: (e) => describeEvent(e).forEach((l) => say(l)),
    });
    const probeIds = result.sites.flatMap((s) => (s.probeId ? [s.probeId] : []));
    cleanups.push(async () => {
      for (const probeId of probeIds) await client.request('probe.remove', { probeId }).catch(() => undefined);
    });
    say('');
    for (const line of report.split('\n')) say(line);
    say('');

    // Fix and validate: deploy the fix branch; the investigation's probes bind on the new instance by themselves.
    await deploy(history.fix.sha, 'fix');
    const pid = service!.child.pid;
    const seen = await collectAfter(client, probeIds, (instance) => instance.includes(`-${pid}-`), 4000);
    const fixed = await measure(2);
    // The validation site's probe records order.notional with its runtime type: after the fix it must be a number.
    const atComparison = seen.filter((e) => e.kind === 'log' && /order\.notional:/.test(e.message));
    const stringNotionals = atComparison.filter((e) => e.kind === 'log' && /order\.notional:string=/.test(e.message)).length;
    const fixCheck = { hits: atComparison.length, stringNotionals, passed: atComparison.length > 0 && stringNotionals === 0 && fixed > after };
    say(`» after the fix: ${atComparison.length} hits at the comparison on the new instance, ${stringNotionals} with a string notional; review rate ${pct(fixed)} (was ${pct(before)} before the bad deploy) — ${fixCheck.passed ? 'validation behaves correctly' : 'CHECK FAILED'}`);

    const responsesUnchanged = sameAnswers(byVersion);
    const { entries } = await client.request('audit.query', { limit: 10_000 });
    const audit = Object.fromEntries(probeIds.map((id) => [id, entries.filter((e) => e.target === id).map((e) => e.action)]));
    say(`» read-only check: identical orders got identical answers from each version, probes or not: ${responsesUnchanged ? 'yes' : 'NO'}`);
    return {
      stop,
      outcome: {
        relayUrl: relay.url,
        dataDir,
        repo: repoDir,
        culprit: history.culprit.sha,
        deployed: history.deployed,
        fix: history.fix.sha,
        reviewRate: { before, after, fixed },
        result,
        report,
        fixCheck,
        responsesUnchanged,
        probeIds,
        audit,
        pids,
      },
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

/** Evidence for the given probes from one instance, collected for `ms`. */
async function collectAfter(client: RelayClient, probeIds: string[], isNewInstance: (instance: string) => boolean, ms: number): Promise<Evidence[]> {
  const out: Evidence[] = [];
  const subs: string[] = [];
  for (const probeId of probeIds) {
    const s = await client.subscribe({ probeId }, (items) => {
      out.push(...items.filter((e) => e.kind !== 'gap' && e.instance !== undefined && isNewInstance(e.instance)));
    });
    subs.push(s.subscription);
  }
  await sleep(ms);
  for (const s of subs) await client.unsubscribe(s).catch(() => undefined);
  return out;
}

/** Per deployed version, every order pattern (i mod 30) got one and the same answer (ids aside). */
function sameAnswers(byVersion: Map<string, Array<{ i: number; res: TradeResponse }>>): boolean {
  for (const rs of byVersion.values()) {
    const seen = new Map<string, string>();
    for (const { i, res } of rs) {
      const key = JSON.stringify(tradeFor(i % 30));
      const answer = JSON.stringify({ status: res.status, flags: res.flags, notional: res.order.notional });
      if (seen.has(key) && seen.get(key) !== answer) return false;
      seen.set(key, answer);
    }
  }
  return true;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
