import type { NewProbe, Policy, ProbeKind } from '../../../backend/protocol';
import { SourceFacts } from '../assistant/code/lineFacts';
import { chooseService, deploymentOf, ServiceChoiceError } from '../assistant/deployments';
import { RepoFiles } from '../assistant/git/files';
import { GitError, repoRoot, resolveCommit } from '../assistant/git/run';
import type { RuntimePort } from '../assistant/runtime';
import { analyzeHunks, captureKey, counterKey, exitsKey } from './analyze';
import type { ReviewApprover } from './approval';
import { collectEvidence, type WantedProbe } from './collect';
import type { ReviewEvent } from './events';
import { diffHunks } from './hunks';
import { DEFAULT_REVIEW_BUDGET, planReview, type HunkPlan, type ReviewBudget } from './plan';
import { ReviewReport } from './schema';

/** Why a review cannot start; `code` for programs, the message for people. */
export class ReviewError extends Error {
  override name = 'ReviewError';
  constructor(
    readonly code: 'not_a_repo' | 'unknown_ref' | 'no_service' | 'no_instances' | 'no_deployed_commit' | 'not_allowed',
    message: string,
  ) {
    super(message);
  }
}

export interface ReviewOptions {
  /** A directory inside the service's git repository. */
  repo: string;
  runtime: RuntimePort;
  approver: ReviewApprover;
  service?: string;
  /** `deployed` (default): the commit the service's instances report; or any ref. */
  base?: string;
  /** Default HEAD. */
  head?: string;
  windowSeconds: number;
  budget?: ReviewBudget;
  /** The relay's policy, when this identity may read it: probe limits are kept under its ceilings. */
  policy?: () => Promise<Policy | undefined>;
  approvalTimeoutMs?: number;
  onEvent?: (e: ReviewEvent) => void;
  signal?: AbortSignal;
  now?: () => number;
}

/**
 * Reviews a branch against live behaviour: the diff against the deployed commit, each hunk mapped onto the
 * deployed lines, counters and value captures proposed there (AI origin: a person or the policy approves),
 * collected for the window, removed, and turned into a report with findings.
 */
export async function reviewBranch(o: ReviewOptions): Promise<ReviewReport> {
  const now = o.now ?? Date.now;
  const emit = o.onEvent ?? (() => undefined);
  const root = await repoRoot(o.repo).catch((e: unknown) => {
    throw new ReviewError('not_a_repo', `${o.repo} is not inside a git repository${e instanceof GitError ? '' : `: ${(e as Error).message}`}`);
  });
  let service;
  try {
    service = chooseService(await o.runtime.services(), o.service, []);
  } catch (e) {
    if (e instanceof ServiceChoiceError) throw new ReviewError('no_service', e.message);
    throw e;
  }
  const deployment = deploymentOf(service);
  const connected = deployment.instances.filter((i) => i.connected);
  if (!connected.length) throw new ReviewError('no_instances', `no instance of ${service.service} is connected: the review measures live traffic, start the service with the agent first`);
  const baseRef = o.base ?? 'deployed';
  let baseName = baseRef;
  if (baseRef === 'deployed') {
    if (!deployment.deployed) throw new ReviewError('no_deployed_commit', `the instances of ${service.service} report no commit: pass --base REF (the commit they run)`);
    baseName = deployment.deployed;
  }
  const headRef = o.head ?? 'HEAD';
  const base = await resolve(root, baseName, baseRef === 'deployed' ? `the deployed commit ${baseName.slice(0, 12)} of ${service.service}` : `--base ${baseRef}`);
  const head = await resolve(root, headRef, `--head ${headRef}`);
  emit({ type: 'context', service: service.service, base, baseRef, head, headRef, instances: connected.length });
  if (deployment.deployed && !deployment.deployed.startsWith(base.slice(0, deployment.deployed.length)) && baseRef !== 'deployed') {
    emit({ type: 'note', text: `the instances run ${deployment.deployed.slice(0, 8)}, not ${base.slice(0, 8)}: lines are mapped to --base, probes bind to what runs` });
  }

  const hunks = await diffHunks(root, base, head);
  const baseFiles = new RepoFiles(root, base);
  const headFiles = new RepoFiles(root, head);
  const deployedText = new Map<string, SourceFacts | undefined>();
  const headText = new Map<string, SourceFacts | undefined>();
  for (const h of hunks) {
    if (h.deployedFile && !deployedText.has(h.deployedFile)) deployedText.set(h.deployedFile, facts(await baseFiles.read(h.deployedFile)));
    if (!headText.has(h.file)) headText.set(h.file, facts(await headFiles.read(h.file)));
  }
  const budget = clamp(o.budget ?? DEFAULT_REVIEW_BUDGET, await o.policy?.().catch(() => undefined));
  const plans = planReview(hunks, { deployed: (f) => deployedText.get(f), head: (f) => headText.get(f) }, service.service, budget);
  const allowed = await o.runtime.allowedKinds();
  const { wanted, notes } = wantedProbes(plans, allowed);
  emit({ type: 'planned', hunks: plans.length, probes: wanted.length });

  const collected = await collectEvidence(wanted, {
    runtime: o.runtime,
    approver: o.approver,
    service: service.service,
    windowMs: o.windowSeconds * 1000,
    ...(o.approvalTimeoutMs !== undefined ? { approvalTimeoutMs: o.approvalTimeoutMs } : {}),
    ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    now,
  });
  const reviewed = analyzeHunks(plans, collected.probes);
  if (!hunks.length) notes.push(`no changes to JavaScript/TypeScript files between ${base.slice(0, 8)} and ${head.slice(0, 8)}`);
  return ReviewReport.parse({
    version: 1,
    service: service.service,
    baseRef,
    base,
    headRef,
    head,
    instances: connected.map((i) => ({ id: i.id, ...(i.commit ? { commit: i.commit } : {}) })),
    window: { start: new Date(collected.window.start).toISOString(), end: new Date(collected.window.end).toISOString(), seconds: (collected.window.end - collected.window.start) / 1000 },
    hunks: reviewed,
    summary: {
      hunks: reviewed.length,
      observed: reviewed.filter((h) => h.perMinute !== undefined).length,
      warnings: reviewed.reduce((s, h) => s + h.findings.filter((f) => f.severity === 'warning').length, 0),
      probes: wanted.length,
    },
    notes,
  });
}

async function resolve(repo: string, ref: string, what: string): Promise<string> {
  try {
    return await resolveCommit(repo, ref);
  } catch {
    throw new ReviewError('unknown_ref', `${what}: '${ref}' is not a commit in ${repo}`);
  }
}

function facts(text: string | undefined): SourceFacts | undefined {
  return text === undefined ? undefined : new SourceFacts(text);
}

function clamp(b: ReviewBudget, policy: Policy | undefined): ReviewBudget {
  if (!policy) return b;
  return {
    ttlSeconds: Math.min(b.ttlSeconds, policy.maxTtlSeconds),
    counterMaxHits: Math.min(b.counterMaxHits, policy.maxHits ?? Infinity),
    captureMaxHits: Math.min(b.captureMaxHits, policy.maxHits ?? Infinity),
    captureMaxPerSecond: Math.min(b.captureMaxPerSecond, policy.maxPerSecond ?? Infinity),
  };
}

/** The plans' probes with what a person is told about each; kinds the policy forbids are left out, with a note. */
function wantedProbes(plans: readonly HunkPlan[], allowed: readonly ProbeKind[] | undefined): { wanted: WantedProbe[]; notes: string[] } {
  const wanted: WantedProbe[] = [];
  const skipped = new Set<ProbeKind>();
  const ok = (p: NewProbe) => {
    if (!allowed || allowed.includes(p.kind)) return true;
    skipped.add(p.kind);
    return false;
  };
  plans.forEach((plan, h) => {
    const where = `${plan.hunk.deployedFile}`;
    for (const c of plan.counters) {
      if (!ok(c.probe)) continue;
      wanted.push({ key: counterKey(h, c.line), probe: c.probe, captured: [], summary: `${where}:${c.line} — count hits (${c.role})`,
        reason: `how often the deployed line ${c.role === 'anchor' ? 'the change sits on' : 'the PR deletes'} runs in production` });
    }
    if (plan.exits && ok(plan.exits.probe)) {
      wanted.push({ key: exitsKey(h), probe: plan.exits.probe, captured: [], phase: 2, summary: `${where}:${plan.exits.line} — count calls that reach the return of ${plan.exits.function ?? 'the function'}()`,
        reason: 'calls that never reach a return left by an exception: how often the changed code path already throws' });
    }
    if (plan.capture && ok(plan.capture.probe)) {
      const exprs = plan.capture.values.map((v) => v.expression);
      wanted.push({ key: captureKey(h), probe: plan.capture.probe, captured: exprs, summary: `${where}:${plan.capture.line} — log the type and value of ${exprs.join(', ')}`,
        reason: 'the values the changed code reads, as production passes them, to check what the change assumes about them' });
    }
  });
  const notes = [...skipped].sort().map((k) => `the relay's policy does not allow ${k} probes for this identity: those measurements were skipped`);
  return { wanted, notes };
}
