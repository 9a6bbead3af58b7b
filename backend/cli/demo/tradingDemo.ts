import { lowRiskApprover } from '../../../extension/core/assistant/approval';
import { investigate } from '../../../extension/core/assistant/investigator';
import type { InvestigationResult } from '../../../extension/core/assistant/result';
import { relayRuntime } from '../../../extension/core/assistant/runtime';
import { RelayClient } from '../../client/relayClient';
import type { Evidence } from '../../protocol';
import { describe as describeEvent } from '../commands/investigate';
import { pct, QUESTION, SERVICE, sleep, startTradingStage, type TradingStage } from './tradingStage';
import { tradeFor, TradeResponse } from './tradingTraffic';

export { QUESTION, SERVICE } from './tradingStage';

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
  /** The running incident (relay, service, traffic): `demo --ide` opens VS Code on it. */
  stage: TradingStage;
  stop(): Promise<void>;
}

/**
 * The headline demo: a trading service deploys a commit that silently stops flagging high-value trades; the
 * review-rate alert fires; the built-in investigator proposes probes (approved by policy), confirms the
 * culprit with runtime evidence, and the fix is deployed and re-checked with the same probes.
 */
export async function runTradingDemo(opts: { port?: number; print: (line: string) => void }): Promise<DemoHandle> {
  const say = opts.print;
  const stage = await startTradingStage(opts);
  const { client, history } = stage;
  try {
    say(`» investigating: ${QUESTION}`);
    const { result, report } = await investigate({
      question: QUESTION,
      repo: stage.repo,
      runtime: relayRuntime(client),
      approver: lowRiskApprover(client, (line) => say(`  ! ${line}`)),
      service: SERVICE,
      incidentAt: stage.deployedAt,
      keepProbes: true, // the same probes watch the fix
      maxMinutes: 3,
      onEvent: (e) => describeEvent(e).forEach((l) => say(l)),
    });
    const probeIds = result.sites.flatMap((s) => (s.probeId ? [s.probeId] : []));
    stage.onStop(async () => {
      for (const probeId of probeIds) await client.request('probe.remove', { probeId }).catch(() => undefined);
    });
    say('');
    for (const line of report.split('\n')) say(line);
    say('');

    // Fix and validate: deploy the fix branch; the investigation's probes bind on the new instance by themselves.
    await stage.deploy(history.fix.sha, 'fix');
    const pid = stage.service()!.child.pid;
    const seen = await collectAfter(client, probeIds, (instance) => instance.includes(`-${pid}-`), 4000);
    const fixed = await stage.measure(2);
    // The validation site's probe records order.notional with its runtime type: after the fix it must be a number.
    const atComparison = seen.filter((e) => e.kind === 'log' && /order\.notional:/.test(e.message));
    const stringNotionals = atComparison.filter((e) => e.kind === 'log' && /order\.notional:string=/.test(e.message)).length;
    const { before, after } = stage.reviewRate;
    const fixCheck = { hits: atComparison.length, stringNotionals, passed: atComparison.length > 0 && stringNotionals === 0 && fixed > after };
    say(`» after the fix: ${atComparison.length} hits at the comparison on the new instance, ${stringNotionals} with a string notional; review rate ${pct(fixed)} (was ${pct(before)} before the bad deploy) — ${fixCheck.passed ? 'validation behaves correctly' : 'CHECK FAILED'}`);

    const responsesUnchanged = sameAnswers(stage.byVersion);
    const { entries } = await client.request('audit.query', { limit: 10_000 });
    const audit = Object.fromEntries(probeIds.map((id) => [id, entries.filter((e) => e.target === id).map((e) => e.action)]));
    say(`» read-only check: identical orders got identical answers from each version, probes or not: ${responsesUnchanged ? 'yes' : 'NO'}`);
    return {
      stage,
      stop: stage.stop,
      outcome: {
        relayUrl: stage.relayUrl,
        dataDir: stage.dataDir,
        repo: stage.repo,
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
        pids: stage.pids,
      },
    };
  } catch (e) {
    await stage.stop();
    throw e;
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

