import { investigate, lowRiskApprover, relayRuntime, type InvestigationResult } from '../../extension/core/assistant';
import { listCommits } from '../../extension/core/assistant/git/log';
import { commitDiff } from '../../extension/core/assistant/git/diff';
import { isProductionCode } from '../../extension/core/assistant/code/search';
import type { Scenario } from './scenario';
import { heldOut, scenarios as allScenarios } from './scenarios';
import { startWorld } from './world';

/** How one scenario went: the culprit's rank for us and for the two baselines (Infinity: not ranked at all). */
export interface ScenarioOutcome {
  scenario: string;
  bug: string;
  commits: number;
  rank: number;
  confirmed: boolean;
  /** We confirmed a commit that is not the culprit (the worst outcome: a confident wrong answer). */
  wrongConfirmation: boolean;
  baselineRecent: number;
  baselineStack: number;
  probes: number;
  rounds: number;
  seconds: number;
  error?: string;
}

export interface AssistantBenchSummary {
  /** 'developed': the scenarios the heuristics were built against; 'held-out': written after they were frozen. */
  group: 'developed' | 'held-out' | 'all';
  scenarios: number;
  top1: number;
  top3: number;
  confirmedByEvidence: number;
  wrongConfirmations: number;
  baselineRecent: { top1: number; top3: number };
  baselineStack: { top1: number; top3: number };
  outcomes: ScenarioOutcome[];
}

export interface AssistantBenchOptions {
  /** Only scenarios whose name contains this. */
  filter?: string;
  /** Per-investigation budget (default 2 minutes). */
  maxMinutes?: number;
  log?: (line: string) => void;
}

/**
 * The assistant's quality measure: each scenario run for real (git history, relay, service with the agent,
 * traffic), investigated by the built-in investigator, against two baselines that need no runtime at all.
 */
export async function benchAssistant(opts: AssistantBenchOptions = {}): Promise<AssistantBenchSummary[]> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const chosen = allScenarios.filter((s) => !opts.filter || s.name.includes(opts.filter));
  const outcomes: ScenarioOutcome[] = [];
  log(`assistant bench: ${chosen.length} scenario(s), each a real git history, relay, service with the agent and traffic`);
  for (const scenario of chosen) {
    const outcome = await runScenario(scenario, opts.maxMinutes ?? 2);
    outcomes.push(outcome);
    log(`  ${pad(scenario.name, 30)} ours #${fmt(outcome.rank)}${outcome.confirmed ? ' confirmed' : outcome.wrongConfirmation ? ' WRONG' : '          '}  recent #${fmt(outcome.baselineRecent)}  stack #${fmt(outcome.baselineStack)}  ${outcome.probes} probes, ${outcome.rounds} round(s), ${outcome.seconds.toFixed(1)} s${outcome.error ? `  error: ${outcome.error}` : ''}`);
  }
  const heldOutNames = new Set(heldOut.map((s) => s.name));
  const groups: [AssistantBenchSummary['group'], ScenarioOutcome[]][] = [
    ['developed', outcomes.filter((o) => !heldOutNames.has(o.scenario))],
    ['held-out', outcomes.filter((o) => heldOutNames.has(o.scenario))],
    ['all', outcomes],
  ];
  return groups.filter(([, os]) => os.length).map(([group, os]) => summarize(group, os));
}

function summarize(group: AssistantBenchSummary['group'], outcomes: ScenarioOutcome[]): AssistantBenchSummary {
  const share = (pred: (o: ScenarioOutcome) => boolean) => round(outcomes.filter(pred).length / Math.max(1, outcomes.length));
  return {
    group,
    scenarios: outcomes.length,
    top1: share((o) => o.rank === 1),
    top3: share((o) => o.rank <= 3),
    confirmedByEvidence: share((o) => o.confirmed),
    wrongConfirmations: outcomes.filter((o) => o.wrongConfirmation).length,
    baselineRecent: { top1: share((o) => o.baselineRecent === 1), top3: share((o) => o.baselineRecent <= 3) },
    baselineStack: { top1: share((o) => o.baselineStack === 1), top3: share((o) => o.baselineStack <= 3) },
    outcomes,
  };
}

async function runScenario(scenario: Scenario, maxMinutes: number): Promise<ScenarioOutcome> {
  const started = Date.now();
  const world = await startWorld(scenario);
  try {
    const baselines = await baselineRanks(world.repo.dir, world.repo.previous, world.repo.deployed, world.repo.culprit, scenario.stack);
    let result: InvestigationResult | undefined;
    let error: string | undefined;
    try {
      result = (await investigate({ question: scenario.question, repo: world.repo.dir, runtime: relayRuntime(world.ai), approver: lowRiskApprover(world.person), maxMinutes, roundSeconds: 20 })).result;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const ranked = (result?.scores ?? []).filter((s) => result!.hypotheses.find((h) => h.id === s.hypothesisId)?.kind === 'change');
    const index = ranked.findIndex((s) => result!.hypotheses.find((h) => h.id === s.hypothesisId)?.suspectCommits[0] === world.repo.culprit);
    return {
      scenario: scenario.name,
      bug: scenario.bug,
      commits: world.repo.commits.length,
      rank: index < 0 ? Infinity : index + 1,
      confirmed: result?.status === 'confirmed' && result.culprit?.sha === world.repo.culprit,
      wrongConfirmation: result?.status === 'confirmed' && result.culprit?.sha !== world.repo.culprit,
      ...baselines,
      probes: result?.sites.length ?? 0,
      rounds: result?.rounds ?? 0,
      seconds: (Date.now() - started) / 1000,
      ...(error ? { error } : {}),
    };
  } finally {
    await world.close();
  }
}

/**
 * The baselines, on the same window: (1) the most recent commit that changed production code first;
 * (2) commits ranked by how many files they share with the symptom's stack, newest first among ties.
 */
async function baselineRanks(repo: string, previous: string, deployed: string, culprit: string, stack: readonly string[]): Promise<{ baselineRecent: number; baselineStack: number }> {
  const commits = await listCommits(repo, { from: previous, to: deployed });
  const files = new Map<string, string[]>();
  for (const c of commits) files.set(c.sha, (await commitDiff(repo, c.sha)).map((f) => f.path));
  const code = commits.filter((c) => files.get(c.sha)!.some(isProductionCode));
  const recent = code.findIndex((c) => c.sha === culprit);
  const overlap = (sha: string) => files.get(sha)!.filter((f) => stack.includes(f)).length;
  const byStack = [...commits].filter((c) => overlap(c.sha) > 0).sort((a, b) => overlap(b.sha) - overlap(a.sha) || b.committedAt.localeCompare(a.committedAt));
  const stackRank = byStack.findIndex((c) => c.sha === culprit);
  return { baselineRecent: recent < 0 ? Infinity : recent + 1, baselineStack: stackRank < 0 ? Infinity : stackRank + 1 };
}

export function formatSummary(s: AssistantBenchSummary): string[] {
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  return [
    `assistant bench, ${s.group}: ${s.scenarios} scenario(s)`,
    `  Runtruth (built-in, runtime evidence)  top-1 ${pct(s.top1)}  top-3 ${pct(s.top3)}  confirmed by runtime evidence ${pct(s.confirmedByEvidence)}  wrong confirmations ${s.wrongConfirmations}`,
    `  baseline: most recent commit           top-1 ${pct(s.baselineRecent.top1)}  top-3 ${pct(s.baselineRecent.top3)}`,
    `  baseline: file overlap with the stack  top-1 ${pct(s.baselineStack.top1)}  top-3 ${pct(s.baselineStack.top3)}`,
  ];
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const fmt = (n: number) => (Number.isFinite(n) ? String(n) : '-');
const pad = (s: string, n: number) => s.padEnd(n);

if (require.main === module) {
  const filter = process.argv[2];
  benchAssistant(filter ? { filter } : {})
    .then((groups) => groups.forEach((s) => formatSummary(s).forEach((l) => console.log(l))))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
