import { builtinHypotheses } from './hypotheses';
import { planChangeProbes, planFollowUps, planSymptomProbes } from './planner';
import { renderReport } from './report';
import { culpritOf, summarizeSites, undeterminedOf, type InvestigationResult } from './result';
import { siteKey } from './evidence/sites';
import { InvestigationSession, type SessionOptions } from './session';
import type { PlannedProbe } from './schema';

export interface InvestigateOptions extends SessionOptions {
  /** Whole investigation, approvals included. Default 5. */
  maxMinutes?: number;
  /** Rounds of propose → approve → observe → score. Default 4. */
  maxRounds?: number;
  /** Commit hypotheses kept (plus the external one). Default 8. */
  maxHypotheses?: number;
  /** Probes proposed per round. Default 6. */
  probesPerRound?: number;
  /** Longest wait for evidence in one round. Default 60 s. */
  roundSeconds?: number;
  /** Leave the probes in place afterwards (to watch a fix); default: remove them. */
  keepProbes?: boolean;
}

export interface Investigation {
  result: InvestigationResult;
  /** The RCA document in Markdown. */
  report: string;
}

/**
 * The built-in investigator: no model. Question keywords → code search → commits touching that code and its
 * request path → one hypothesis per commit → probes at the symptom and at each suspect's changed lines, all
 * as proposals → evidence → scores, round after round, until one hypothesis is confirmed on the executed
 * path or the budget is spent.
 */
export async function investigate(options: InvestigateOptions): Promise<Investigation> {
  const session = await InvestigationSession.open(options);
  let concluded = false;
  try {
    const deadline = session.startedAt + (options.maxMinutes ?? 5) * 60_000;
    announceContext(session);
    session.setHypotheses(builtinHypotheses(session.code, options.maxHypotheses ?? 8));
    session.rescore();
    const probed = new Set<string>();
    const perRound = options.probesPerRound ?? 6;
    let budgetSpent = false;
    let rounds = 0;
    for (let round = 1; round <= (options.maxRounds ?? 4); round++) {
      if (session.aborted) {
        session.note('stopped on request before the investigation finished');
        break;
      }
      if (session.now() >= deadline) {
        budgetSpent = true;
        break;
      }
      const placed = new Set(session.sites.keys());
      // round 1 looks where the question points; later rounds follow what the evidence showed back to its source
      const anomalies = [...session.sites.values()].filter((s) => s.plan.role === 'symptom').flatMap((s) => s.anomalies);
      const plans: PlannedProbe[] = round === 1 ? await planSymptomProbes(session.code, session.facts, 2, placed) : await planFollowUps(session.facts, anomalies, 2, placed);
      // each hypothesis' own lines first, then (for load-time changes) where their values are used
      const loadTimeOnly: string[] = [];
      for (const s of session.scores) {
        if (plans.length >= perRound) break;
        const h = session.hypotheses.find((x) => x.id === s.hypothesisId)!;
        if (h.kind !== 'change' || s.verdict !== 'open' || probed.has(h.id)) continue;
        probed.add(h.id);
        const facts = session.code.facts.get(h.suspectCommits[0] ?? '');
        const keys = new Set([...placed, ...plans.map(siteKey)]);
        const own = await planChangeProbes(session.code, session.facts, h, facts, Math.min(2, perRound - plans.length), keys, false);
        if (!own.length) loadTimeOnly.push(h.id);
        plans.push(...own);
      }
      for (const id of loadTimeOnly) {
        if (plans.length >= perRound) {
          probed.delete(id); // its turn comes next round
          continue;
        }
        const h = session.hypotheses.find((x) => x.id === id)!;
        const keys = new Set([...placed, ...plans.map(siteKey)]);
        plans.push(...(await planChangeProbes(session.code, session.facts, h, session.code.facts.get(h.suspectCommits[0] ?? ''), 1, keys)));
      }
      if (!plans.length) {
        session.note(round === 1 ? 'found nothing to probe: the question matched no code on a commit in the window' : 'no further probe could tell the remaining hypotheses apart');
        break;
      }
      rounds = round;
      session.emit({ type: 'round', round, reason: `${plans.length} probe(s): ${plans.map((p) => `${p.role} ${siteKey(p)}`).join(', ')}` });
      await session.propose(plans);
      // wait for decisions and evidence within the round; undecided proposals may still be approved later
      const roundEnd = Math.min(deadline, session.now() + (options.roundSeconds ?? 60) * 1000);
      await session.awaitDecisions(roundEnd);
      await session.collect(roundEnd);
      const scores = session.rescore();
      if (scores[0]?.verdict === 'confirmed') break;
      if (session.now() >= deadline) budgetSpent = true;
    }
    const waiting = [...session.sites.values()].filter((s) => s.state === 'proposed').map((s) => s.probeId);
    if (waiting.length) session.note(`still awaiting approval at the end: ${waiting.join(', ')}`);
    const done = await conclude(session, 'builtin', budgetSpent, options.keepProbes ?? false, rounds);
    concluded = true;
    return done;
  } finally {
    // on a failure half-way, leave nothing behind (probes also expire on their own)
    if (!concluded && !options.keepProbes) await session.removeProbes().catch(() => undefined);
    await session.close();
  }
}

function announceContext(session: InvestigationSession): void {
  const { code, deployment } = session;
  session.emit({
    type: 'context',
    service: session.service,
    deployed: code.deployed,
    ...(code.previous ? { previous: code.previous } : {}),
    window: code.window,
    timeline: deployment.timeline,
    searched: code.searchHits.slice(0, 6).map((h) => `${h.file} (${h.terms.join(', ')})`),
    terms: code.terms.map((t) => t.stem),
  });
}

/** Removes probes (unless kept), reads the audit trail, and writes the result and the report. */
export async function conclude(session: InvestigationSession, investigator: 'builtin' | 'model', budgetSpent: boolean, keepProbes: boolean, rounds = 0): Promise<Investigation> {
  await session.reconcile();
  session.rescore();
  if (!keepProbes) await session.removeProbes();
  const audited = await session.attachAudit();
  const culprit = culpritOf(session);
  const result: InvestigationResult = {
    question: session.options.question,
    service: session.service,
    deployed: session.code.deployed,
    ...(session.code.previous ? { previous: session.code.previous } : {}),
    window: session.code.window,
    investigator,
    rounds,
    probeKind: session.probeKind,
    startedAt: new Date(session.startedAt).toISOString(),
    finishedAt: new Date(session.now()).toISOString(),
    status: culprit ? 'confirmed' : 'undetermined',
    ...(culprit ? { culprit } : {}),
    hypotheses: session.hypotheses,
    scores: session.scores,
    sites: summarizeSites(session),
    timeline: timelineOf(session),
    undetermined: undeterminedOf(session, budgetSpent),
    notes: session.notes,
    audited,
    ...(session.baselines.length ? { baselines: session.baselines } : {}),
  };
  const texts = new Map<string, string[]>();
  for (const s of session.sites.values()) texts.set(s.plan.file, ((await session.code.files.read(s.plan.file)) ?? '').split('\n'));
  for (const l of culprit?.lines ?? []) if (!texts.has(l.file)) texts.set(l.file, ((await session.code.files.read(l.file)) ?? '').split('\n'));
  const functions = new Map<string, (line: number) => string | undefined>();
  for (const file of texts.keys()) {
    const facts = await session.facts.of(file);
    if (facts) functions.set(file, (line) => facts.enclosingFunction(line));
  }
  const report = renderReport({
    result,
    commits: session.code.facts,
    lineText: (file, line) => texts.get(file)?.[line - 1],
    functionAt: (file, line) => functions.get(file)?.(line),
  });
  session.emit({ type: 'finished', status: result.status, ...(culprit ? { culprit: culprit.sha } : {}), reportMarkdown: report });
  return { result, report };
}

function timelineOf(session: InvestigationSession) {
  const events = [...session.deployment.timeline];
  for (const c of session.code.commits) events.push({ at: c.committedAt, what: `commit ${c.sha.slice(0, 8)} "${c.subject}" (${c.author})` });
  const alert = session.options.incident;
  if (session.options.incidentAt) events.push({ at: session.options.incidentAt.toISOString(), what: alert ? `incident ${alert.id} began: "${alert.title}" (alert)` : 'incident began (alert)' });
  for (const s of session.sites.values()) {
    if (!s.probeId) continue;
    const a = s.approval;
    if (a?.decidedAt) events.push({ at: a.decidedAt, what: `${s.probeId} at ${siteKey(s.plan)} ${a.decision} by ${a.decidedBy}` });
    const first = s.anomalies[0];
    const at = first ? s.observations.find((o) => o.evidenceId === first.evidenceIds[0])?.at : undefined;
    if (first && at) events.push({ at, what: `first ${first.kind} observed at ${siteKey(s.plan)}: ${first.examples[0] ?? first.detail}` });
  }
  events.push({ at: new Date(session.now()).toISOString(), what: `investigation concluded: ${session.scores[0]?.verdict === 'confirmed' ? `${session.scores[0].hypothesisId} confirmed` : 'undetermined'}` });
  return events.sort((a, b) => a.at.localeCompare(b.at));
}
