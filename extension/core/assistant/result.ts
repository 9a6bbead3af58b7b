import type { BranchBaseline } from './baselines';
import type { TimelineEvent } from './deployments';
import { captureList } from './evidence/captures';
import { carriedAnomalies } from './evidence/anomalies';
import { siteKey, valueTypes, type ApprovalRecord, type SiteState } from './evidence/sites';
import type { InvestigationSession } from './session';
import type { Anomaly, Hypothesis, Score, SourceLocation } from './schema';

/** One probe site as the result reports it. */
export interface SiteSummary extends SourceLocation {
  probeId?: string;
  kind?: string;
  role: 'symptom' | 'change' | 'written';
  reason: string;
  hypothesisIds: string[];
  captured: string[];
  state: SiteState;
  bound: boolean;
  hits: number;
  statusReason?: string;
  /** Runtime types seen per captured value. */
  types: Record<string, Record<string, number>>;
  anomalies: Anomaly[];
  approval?: ApprovalRecord;
}

export interface Culprit {
  hypothesisId: string;
  sha: string;
  subject: string;
  author: string;
  committedAt: string;
  /** Its lines in the deployed code. */
  lines: SourceLocation[];
  /** The evidence that confirmed it, own-site and linked. */
  evidence: Anomaly[];
}

/** Everything an investigation concluded: serialisable (the CLI's --json) and the source of the report. */
export interface InvestigationResult {
  question: string;
  service: string;
  deployed: string;
  previous?: string;
  window: string;
  investigator: 'builtin' | 'model';
  /** Rounds of propose → observe → score (model runs: evidence waits). */
  rounds: number;
  probeKind: string;
  startedAt: string;
  finishedAt: string;
  status: 'confirmed' | 'undetermined';
  culprit?: Culprit;
  hypotheses: Hypothesis[];
  scores: Score[];
  sites: SiteSummary[];
  timeline: TimelineEvent[];
  /** What could not be determined, and why. */
  undetermined: string[];
  notes: string[];
  /** Whether audit sequence numbers could be read with this token. */
  audited: boolean;
  /** The captured branches' rates before the deploy versus since (when a pre-deploy baseline was found). */
  baselines?: BranchBaseline[];
}

export function summarizeSites(session: InvestigationSession): SiteSummary[] {
  return [...session.sites.values()].map((s) => ({
    file: s.plan.file,
    line: s.plan.line,
    ...(s.probeId ? { probeId: s.probeId } : {}),
    ...(s.kind ? { kind: s.kind } : {}),
    role: s.plan.role,
    reason: s.plan.reason,
    hypothesisIds: s.plan.hypothesisIds,
    captured: captureList(s.plan).map((c) => c.name),
    state: s.state,
    bound: s.bound,
    hits: s.hits,
    ...(s.statusReason ? { statusReason: s.statusReason } : {}),
    types: valueTypes(s),
    anomalies: s.anomalies,
    ...(s.approval ? { approval: s.approval } : {}),
  }));
}

/** The confirmed hypothesis' commit and the anomalies that tie it to the executed path. */
export function culpritOf(session: InvestigationSession): Culprit | undefined {
  const top = session.scores[0];
  if (!top || top.verdict !== 'confirmed') return undefined;
  const h = session.hypotheses.find((x) => x.id === top.hypothesisId);
  const sha = h?.suspectCommits[0];
  const facts = sha ? [...session.code.facts.values()].find((c) => c.sha.startsWith(sha)) : undefined;
  if (!h || !facts) return undefined;
  const all = [...session.sites.values()].flatMap((s) => s.anomalies);
  const ownKeys = new Set([...facts.surviving, ...h.suspectLocations].map(siteKey));
  const own = [...session.sites.values()]
    .filter((s) => s.plan.hypothesisIds.includes(h.id) || ownKeys.has(siteKey(s.plan)))
    .flatMap((s) => [...s.anomalies, ...(s.plan.role === 'written' ? carriedAnomalies(s, all) : [])]);
  const linked = all.filter((a) => a.identifiers.some((i) => facts.writes.includes(i)));
  // where it goes wrong first (the symptom), then where the culprit's own lines show it
  const evidence = [...new Map([...linked, ...own].map((a) => [`${a.kind}|${siteKey(a)}|${a.expression}`, a])).values()];
  return { hypothesisId: h.id, sha: facts.sha, subject: facts.subject, author: facts.author, committedAt: facts.committedAt, lines: facts.surviving, evidence };
}

/** Sentences about what the investigation could not settle, from the state it ended in. */
export function undeterminedOf(session: InvestigationSession, budgetSpent: boolean): string[] {
  const out: string[] = [];
  const top = session.scores[0];
  if (!top || top.verdict !== 'confirmed') {
    out.push(budgetSpent ? 'The budget ran out before any hypothesis was confirmed by runtime evidence.' : 'No hypothesis was confirmed by runtime evidence.');
    const open = session.scores.filter((s) => s.verdict === 'open').map((s) => s.hypothesisId);
    if (open.length) out.push(`Still open: ${open.join(', ')}.`);
  }
  for (const s of session.sites.values()) {
    const where = `${siteKey(s.plan)}${s.probeId ? ` (${s.probeId})` : ''}`;
    if (s.state === 'rejected') out.push(`${where} was rejected${s.approval?.decidedBy ? ` by ${s.approval.decidedBy}` : ''}${s.approval?.reason ? `: ${s.approval.reason}` : ''}; its question stayed unanswered.`);
    else if (s.state === 'proposed') out.push(`${where} was never approved; nothing was captured there.`);
    else if (s.state === 'failed') out.push(`${where} could not be placed: ${s.statusReason ?? 'unknown reason'}.`);
    else if (!s.bound && s.hits === 0 && s.probeId) out.push(`${where} never bound${s.statusReason ? ` (${s.statusReason})` : ''}: the file may not be loaded by the service.`);
    else if (s.hits > 0 && s.hits < session.minHits) out.push(`${where} saw only ${s.hits} hit(s) (wanted ${session.minHits}).`);
  }
  return out;
}
