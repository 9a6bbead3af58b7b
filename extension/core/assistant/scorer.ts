import type { BranchBaseline } from './baselines';
import { leafName, type CommitFacts } from './commitFacts';
import { carriedAnomalies } from './evidence/anomalies';
import { siteKey, type SiteEvidence } from './evidence/sites';
import type { Anomaly, Hypothesis, Score, ScoreItem, Verdict } from './schema';

/**
 * The weights of the explainable model, in log-odds points. Named here, not scattered: a change of weight is a
 * reviewed change of behaviour, and the bench measures it.
 */
export const WEIGHTS = {
  base: -1,
  recency: 0.8,
  afterIncident: -4,
  searchMatch: 1.0,
  requestPath: 0.6,
  questionTerms: 0.3,
  writesAnomalous: 1.5,
  readsAnomalous: 0.4,
  executedFile: 0.4,
  size: 0.3,
  noProductionCode: -2.5,
  ownAnomaly: 3.0,
  anomalyAtLine: 1.5,
  linkedWrite: 2.0,
  linkedRead: 0.5,
  valueInDiff: 1.5,
  executed: 0.75,
  notExecuted: -2.5,
  quietOwnSites: -0.75,
  propagates: -1.5,
  notDeployed: -1.5,
  predictionUnseen: -1.0,
  externalBase: -1.5,
  externalExplained: -2.0,
  externalNothingFound: 1.5,
  baselineShift: 1.5,
  baselineSame: -1.0,
  externalBaselineShift: -1.0,
  externalBaselineSame: 1.0,
} as const;

/** Hours over which "shortly before the incident" fades (e-folding time). */
const RECENCY_HOURS = 48;
/** A hypothesis is confirmed only this many log-odds points ahead of the next one. */
export const CONFIRM_MARGIN = 1.0;

export interface ScoringInput {
  hypotheses: readonly Hypothesis[];
  commits: ReadonlyMap<string, CommitFacts>;
  sites: readonly SiteEvidence[];
  /** Observations a site needs before its silence (no anomaly, no hit) counts as evidence. */
  minHits: number;
  /** The same branch counters before the deploy (see baselines.ts); absent or empty: no baseline factor. */
  baselines?: readonly BranchBaseline[];
}

/** Scores every hypothesis; pure and deterministic (same input → same output, order included). */
export function scoreHypotheses(raw: ScoringInput): Score[] {
  const input: ScoringInput = { ...raw, sites: [...raw.sites].sort(bySite) };
  const anomalies = input.sites.flatMap((s) => s.anomalies);
  const executedFiles = new Set(input.sites.filter((s) => s.hits > 0).map((s) => s.plan.file));
  // snapshots carry the call stack: every file on it ran (frames name files as the runtime sees them)
  const frames = [...new Set(input.sites.flatMap((s) => s.observations.flatMap((o) => o.stack?.map((f) => f.file) ?? [])))];
  const onStack = (file: string) => frames.some((f) => f === file || f.endsWith(`/${file}`));
  const symptomHits = Math.max(0, ...input.sites.filter((s) => s.plan.role === 'symptom').map((s) => s.hits));
  const partial = input.hypotheses.map((h) => {
    const commits = h.suspectCommits.map((sha) => findCommit(input.commits, sha)).filter((c): c is CommitFacts => !!c);
    const { prior, evidence, strong } =
      h.kind === 'external' ? external(input, anomalies, symptomHits) : change(h, commits, input, anomalies, (f) => executedFiles.has(f) || onStack(f), symptomHits);
    const priorPoints = sum(prior);
    const evidencePoints = sum(evidence);
    return { h, prior, evidence, priorPoints, evidencePoints, logit: round(priorPoints + evidencePoints), strong };
  });
  // rank: logit, then the more recent suspect, then id — never input order alone
  const ordered = [...partial].sort((a, b) => b.logit - a.logit || newest(b.h, input.commits) - newest(a.h, input.commits) || a.h.id.localeCompare(b.h.id));
  const maxLogit = Math.max(...partial.map((p) => p.logit));
  const total = partial.reduce((s, p) => s + Math.exp(p.logit - maxLogit), 0);
  return ordered.map((p, i) => {
    const next = ordered[i === 0 ? 1 : 0];
    const margin = next ? p.logit - next.logit : Infinity;
    const { verdict, reason } = decide(p, i + 1, margin, p.h.kind);
    return {
      hypothesisId: p.h.id,
      prior: p.prior,
      evidence: p.evidence,
      priorPoints: p.priorPoints,
      evidencePoints: p.evidencePoints,
      logit: p.logit,
      probability: round(1 / (1 + Math.exp(-p.logit))),
      share: round(Math.exp(p.logit - maxLogit) / total),
      rank: i + 1,
      verdict,
      verdictReason: reason,
    };
  });
}

interface Strength {
  /** The predicted observation was made at this hypothesis' own lines, or linked to them and they ran. */
  confirmedOnPath: boolean;
  refutedBy?: string;
}

function decide(p: { logit: number; strong: Strength }, rank: number, margin: number, kind: Hypothesis['kind']): { verdict: Verdict; reason: string } {
  if (p.strong.refutedBy) return { verdict: 'refuted', reason: p.strong.refutedBy };
  if (p.strong.confirmedOnPath && rank === 1 && margin >= CONFIRM_MARGIN) {
    return { verdict: 'confirmed', reason: kind === 'external' ? 'the evidence rules out every change in the window' : 'the predicted anomaly was observed on the executed path, linked to this change' };
  }
  if (p.strong.confirmedOnPath) return { verdict: 'open', reason: `consistent with the evidence, but not ${CONFIRM_MARGIN} point(s) ahead of the next hypothesis` };
  return { verdict: 'open', reason: 'not yet confirmed or refuted by runtime evidence' };
}

function change(h: Hypothesis, commits: CommitFacts[], input: ScoringInput, anomalies: Anomaly[], executed: (file: string) => boolean, symptomHits: number) {
  const prior: ScoreItem[] = [item('base', 'Starting point', 1, WEIGHTS.base, 'every hypothesis starts unlikely')];
  const evidence: ScoreItem[] = [];
  const strong: Strength = { confirmedOnPath: false };
  const c = commits[0];
  const short = c ? c.sha.slice(0, 8) : '';
  const writes = new Set(commits.flatMap((x) => x.writes));
  const removedWrites = new Set(commits.flatMap((x) => x.removedWrites ?? []));
  const functions = new Set(commits.flatMap((x) => x.functions ?? []));
  const reads = new Set(commits.flatMap((x) => x.reads));
  // A value this change assigns from a call it did not introduce, to a function another commit changed, is
  // that function's value: the other commit computed it, this one only passed it on.
  const othersFunctions = new Map<string, string>();
  for (const other of [...input.commits.values()].sort((a, b) => b.sha.localeCompare(a.sha))) if (!commits.includes(other)) for (const f of other.functions ?? []) othersFunctions.set(f, other.sha.slice(0, 8));
  const preexisting = new Set(commits.flatMap((x) => (x.addedCalls ?? []).filter((c) => (x.removedCalls ?? []).includes(c))));
  const inheritedFrom = (a: Anomaly) => a.upstream.find((u) => preexisting.has(u) && othersFunctions.has(u) && !functions.has(u));
  const symptomKeys = new Set(input.sites.filter((s) => s.plan.role === 'symptom').map((s) => siteKey(s.plan)));
  const predicted = anomalies.filter(
    (a) =>
      h.prediction.anomalies.includes(a.kind) &&
      (a.kind !== 'constant-branch' || symptomKeys.has(siteKey(a))) &&
      (h.prediction.identifiers.length === 0 || a.identifiers.some((i) => h.prediction.identifiers.includes(i)) || a.kind === 'exception'),
  );

  if (c) {
    const hours = Math.min(...commits.map((x) => x.hoursBefore ?? Infinity));
    if (hours < 0) {
      prior.push(item('after-incident', 'Committed after the incident began', 1, WEIGHTS.afterIncident, `${short} is dated ${fmtHours(-hours)} after the incident start`));
      strong.refutedBy = 'committed after the incident began';
    } else if (Number.isFinite(hours)) {
      prior.push(item('recency', 'Deployed shortly before the incident', round(Math.exp(-hours / RECENCY_HOURS)), WEIGHTS.recency, `committed ${fmtHours(hours)} before the incident`));
    }
    const searchScore = Math.max(...commits.map((x) => x.searchScore ?? (x.searchFiles.length ? 1 : 0)));
    if (searchScore > 0) {
      const searched = [...new Set(commits.flatMap((x) => x.searchFiles))];
      prior.push(item('search', "Touches code the question's search found", searchScore, WEIGHTS.searchMatch, searched.length ? `changes ${searched.join(', ')}` : `changes code that mentions the question (${Math.round(searchScore * 100)}% of the best match)`));
    }
    const distance = Math.min(...commits.map((x) => x.pathDistance ?? Infinity));
    if (Number.isFinite(distance)) prior.push(item('path', 'On the request path', round(1 / (1 + distance)), WEIGHTS.requestPath, distance === 0 ? 'changes a searched file' : `changes a file ${distance} import(s) from the searched code`));
    const terms = [...new Set(commits.flatMap((x) => x.terms))];
    if (terms.length) prior.push(item('terms', 'Diff mentions the question', Math.min(2, terms.length), WEIGHTS.questionTerms, `added lines mention ${terms.join(', ')}`));
    const lines = commits.reduce((s, x) => s + x.codeLinesChanged, 0);
    if (commits.every((x) => x.codeFiles.length === 0)) prior.push(item('no-code', 'Changes no production code', 1, WEIGHTS.noProductionCode, `only ${[...new Set(commits.flatMap((x) => x.files))].join(', ') || 'no files'}`));
    else if (commits.every((x) => x.executableLinesChanged === 0)) prior.push(item('no-code', 'Changes only comments or blank lines', 1, WEIGHTS.noProductionCode, 'no executable line changed'));
    else prior.push(item('size', 'Size of the change', round(Math.min(1, Math.log2(1 + lines) / Math.log2(201))), WEIGHTS.size, `${lines} production line(s) changed`));
  }
  const anomalousIds = new Set(anomalies.filter((a) => a.kind !== 'constant-branch' || symptomKeys.has(siteKey(a))).flatMap((a) => [...a.identifiers, ...a.upstream]));
  // names this change writes but whose anomalous value it only passes on (computed by another commit's function)
  const passedOn = new Set(anomalies.filter((a) => inheritedFrom(a)).flatMap((a) => [...a.identifiers, ...a.upstream]));
  const writtenAnomalous = [...writes, ...removedWrites, ...functions].filter((w) => anomalousIds.has(w) && !passedOn.has(w)).sort();
  const readAnomalous = [...reads].filter((r) => anomalousIds.has(r)).sort();
  if (writtenAnomalous.length) prior.push(item('writes-anomalous', 'Diff writes identifiers with anomalous runtime values', 1, WEIGHTS.writesAnomalous, `writes ${writtenAnomalous.join(', ')}`));
  else if (readAnomalous.length) prior.push(item('reads-anomalous', 'Diff reads identifiers with anomalous runtime values', 1, WEIGHTS.readsAnomalous, `reads ${readAnomalous.join(', ')}`));
  const onExecuted = [...new Set([...commits.flatMap((x) => x.codeFiles), ...h.suspectLocations.map((l) => l.file)])].filter(executed).sort();
  if (onExecuted.length) prior.push(item('executed-file', 'Touches files on the executed path', 1, WEIGHTS.executedFile, `ran under traffic (probe hits or snapshot stacks): ${onExecuted.join(', ')}`));

  // evidence at this hypothesis' own lines
  const ownKeys = new Set([...commits.flatMap((x) => x.surviving), ...h.suspectLocations].map(siteKey));
  const own = input.sites.filter((s) => (s.plan.role !== 'symptom' && s.plan.hypothesisIds.includes(h.id)) || ownKeys.has(siteKey(s.plan)));
  // a value captured after a changed line is what it produced; a value it reads was produced before it ran
  // constant branches are weak (guards that always pass are normal): they only ever support a linked claim
  const ownAnomalies = own
    .flatMap((s) => [...s.anomalies, ...(s.plan.role === 'written' ? carriedAnomalies(s, anomalies) : [])])
    .filter((a) => a.kind !== 'constant-branch' && h.prediction.anomalies.includes(a.kind));
  const received = own.filter((s) => s.plan.role === 'change').flatMap((s) => carriedAnomalies(s, anomalies)).filter((a) => !a.identifiers.some((i) => writes.has(i) || removedWrites.has(i)));
  // produced: the anomalous value is one this change writes; otherwise its line only receives it (weaker)
  // (a carried anomaly's data flow is the symptom's: look it up there)
  const inheritedName = (a: Anomaly) => anomalies.some((x) => x.identifiers.some((i) => a.identifiers.includes(i)) && inheritedFrom(x));
  const produced = ownAnomalies.find((a) => (a.identifiers.some((i) => writes.has(i) || removedWrites.has(i)) && !inheritedName(a)) || a.kind === 'exception');
  // a 'written' probe sits on the line after the change: only what it carries counts, not that line's own anomalies
  // and an expression the commit kept as it was (it rewrote other parts of the line) is not its doing
  const deleted = commits.flatMap((x) => x.deletedLines ?? []);
  const kept = (a: Anomaly) => deleted.some((l) => l.includes(a.expression.replace(/\s+/g, '')));
  const atLine = ownAnomalies.find((a) => !kept(a) && !own.some((s) => s.plan.role === 'written' && siteKey(s.plan) === siteKey(a) && s.anomalies.includes(a)));
  if (produced) {
    evidence.push(item('own-anomaly', 'Predicted anomaly in a value it produces', 1, WEIGHTS.ownAnomaly, `${produced.kind} at ${siteKey(produced)}: ${produced.examples[0] ?? produced.detail} — ${produced.detail} (${produced.count} of ${produced.total})`));
  } else if (atLine) {
    evidence.push(item('anomaly-at-line', 'Predicted anomaly at its changed line', 1, WEIGHTS.anomalyAtLine, `${atLine.kind} at ${siteKey(atLine)} on ${atLine.identifiers.join(', ') || atLine.expression}, which the line reads: ${atLine.examples[0] ?? atLine.detail} (${atLine.count} of ${atLine.total})`));
  }
  // a value this change writes (or stopped writing: a renamed field), directly or one step upstream
  const changedNames = new Set([...writes, ...removedWrites, ...functions]);
  const seenTypes = observedTypes(input.sites);
  const normal = (name: string, a: Anomaly) => {
    const types = seenTypes.get(name);
    return !!types && !!a.valueType && !types.has(a.valueType) && [...types].every((t) => t === 'number' || t === 'boolean');
  };
  const direct = (a: Anomaly) => a.identifiers.filter((i) => changedNames.has(i));
  const viaUpstream = (a: Anomaly) => a.upstream.filter((i) => changedNames.has(i) && !normal(i, a));
  const linked = predicted.filter((a) => (direct(a).length || viaUpstream(a).length) && !inheritedFrom(a));
  const linkedReads = predicted.filter((a) => !linked.includes(a) && a.identifiers.some((i) => reads.has(i)));
  const strength = (a: Anomaly) => (a.kind === 'constant-branch' ? 0.5 : 1) * (direct(a).length || viaUpstream(a).some((u) => functions.has(u)) ? 1 : 0.75);
  const strongest = [...linked].sort((a, b) => strength(b) - strength(a))[0];
  if (strongest) {
    const names = direct(strongest).length ? direct(strongest) : viaUpstream(strongest);
    const how = names.some((n) => writes.has(n)) ? 'writes' : names.some((n) => functions.has(n)) ? 'computes' : 'stopped writing';
    const via = direct(strongest).length ? '' : ` (computed from ${names.join(', ')})`;
    evidence.push(item('linked-write', `Anomaly on a value this change ${how}`, 1, round(WEIGHTS.linkedWrite * strength(strongest)), `${strongest.kind} at ${siteKey(strongest)} on ${strongest.identifiers.join(', ')}${via}: ${strongest.examples[0] ?? strongest.detail} (${strongest.count} of ${strongest.total})`));
  } else if (predicted.some(inheritedFrom)) {
    const a = predicted.find(inheritedFrom)!;
    const f = inheritedFrom(a)!;
    evidence.push(item('linked-read', 'Passes on an anomalous value computed elsewhere', 1, WEIGHTS.linkedRead, `${a.identifiers.join(', ')} comes from ${f}(), which ${othersFunctions.get(f)} changed; this change kept that call`));
  } else if (linkedReads.length) {
    const a = linkedReads[0]!;
    evidence.push(item('linked-read', 'Anomaly on a value this change reads', 1, WEIGHTS.linkedRead, `${a.kind} at ${siteKey(a)} on ${a.identifiers.join(', ')}`));
  }
  const ownCounted = produced ?? atLine;
  if (received.length && !ownCounted) {
    const a = received[0]!;
    evidence.push(item('propagates', 'Receives the anomalous value already formed', 1, WEIGHTS.propagates, `${a.examples[0]} is read at ${siteKey(a)} before the line runs: the value was produced upstream`));
  }
  // the exact runtime value behind an anomaly is a literal this change added ('7.25%', 6000)
  const literal = literalBehindAnomaly(commits, predicted, input.sites, (name, a) => normal(name, a));
  if (literal) evidence.push(item('value-in-diff', 'The anomalous value is a literal it added', 1, WEIGHTS.valueInDiff, literal));
  const inFunctions = own.filter((s) => !s.plan.topLevel);
  const ran = inFunctions.filter((s) => s.hits > 0);
  const allTopLevel = commits.length > 0 && own.length === 0 && commits.every((x) => x.surviving.length > 0) && !!strongest;
  if (ran.length) evidence.push(item('executed', 'Its lines ran under the incident traffic', 1, WEIGHTS.executed, `${ran.map((s) => `${siteKey(s.plan)} ×${s.hits}`).join(', ')}`));
  else if (allTopLevel) evidence.push(item('executed', 'Its value reached the executed path', 1, WEIGHTS.executed, `values it defines were captured at ${siteKey(strongest!)}`));
  const boundSilent = inFunctions.filter((s) => s.bound && s.hits === 0);
  if (!ran.length && inFunctions.length && boundSilent.length === inFunctions.length && symptomHits >= input.minHits) {
    evidence.push(item('not-executed', 'Its lines never ran', 1, WEIGHTS.notExecuted, `${boundSilent.map((s) => siteKey(s.plan)).join(', ')}: 0 hits while the symptom site ran ${symptomHits} time(s)`));
    strong.refutedBy = 'its changed lines never ran while the symptom did';
  }
  const quiet = own.filter((s) => s.hits >= input.minHits && s.anomalies.length === 0);
  if (quiet.length && !ownCounted && !strongest && anomalies.length) {
    evidence.push(item('quiet', 'Normal values at its lines', 1, WEIGHTS.quietOwnSites, `no anomaly in ${quiet.reduce((s, x) => s + x.hits, 0)} observation(s) at ${quiet.map((s) => siteKey(s.plan)).join(', ')}`));
  }
  if (c && commits.every((x) => x.codeFiles.length > 0 && x.surviving.length === 0)) {
    evidence.push(item('not-deployed', 'None of its lines are in the deployed code', 1, WEIGHTS.notDeployed, 'later commits replaced every line it changed'));
    strong.refutedBy ??= 'none of its lines are in the deployed code';
  }
  const observedSymptoms = input.sites.filter((s) => s.plan.role === 'symptom' && s.hits >= input.minHits);
  if (observedSymptoms.length && !predicted.length) {
    evidence.push(item('unseen', 'Predicted observation not seen', 1, WEIGHTS.predictionUnseen, `no ${h.prediction.anomalies.join('/')} in ${observedSymptoms.reduce((s, x) => s + x.hits, 0)} observation(s) at the symptom site(s)`));
  }
  const baseline = baselineItem(input.baselines ?? [], changedNames);
  if (baseline) evidence.push(baseline);
  const onlyPassesItOn = received.length > 0 && !ownCounted;
  // confirming needs the value itself: at its own lines, linked by name (not only several steps upstream), or as a literal it added
  const confirmingLink = !!strongest && (direct(strongest).length > 0 || !!literal);
  strong.confirmedOnPath = !strong.refutedBy && !onlyPassesItOn && (!!ownCounted || (confirmingLink && (ran.length > 0 || allTopLevel)));
  return { prior, evidence, strong };
}

const SHIFTED = new Set<BranchBaseline['change']>(['never-fires', 'always-fires', 'rate-changed']);

/**
 * "A branch that never or always fires versus before the deploy": a shift on a value this change writes
 * (or computes) points at it; a symptom branch that behaved the same before the deploy points away from
 * every change in the window.
 */
function baselineItem(baselines: readonly BranchBaseline[], changedNames: ReadonlySet<string>): ScoreItem | undefined {
  const shifted = baselines.filter((b) => SHIFTED.has(b.change));
  const linked = shifted.find((b) => [...b.identifiers, ...b.upstream].some((n) => changedNames.has(n)));
  if (linked) {
    const names = [...linked.identifiers, ...linked.upstream].filter((n) => changedNames.has(n));
    const what = { 'never-fires': 'never fires since the deploy', 'always-fires': 'always fires since the deploy', 'rate-changed': 'fires at another rate since the deploy' }[linked.change as 'never-fires'];
    return item('baseline-shift', `A branch on a value it changes ${what}`, 1, WEIGHTS.baselineShift, `${linked.detail} at ${siteKey(linked)}; it reads ${names.join(', ')}`);
  }
  const same = baselines.filter((b) => b.role === 'symptom' && b.change === 'same');
  if (!shifted.length && same.length) return item('baseline-same', 'The symptom behaved the same before the deploy', 1, WEIGHTS.baselineSame, `${same[0]!.detail} at ${siteKey(same[0]!)}: the deploy did not change it`);
  return undefined;
}

/** Literals too common to say where a value came from. */
const TRIVIAL = new Set(['', '0', '1', '-1', 'true', 'false', 'null', 'undefined', 'NaN', 'yes', 'no', 'on', 'off']);

/** A sentence when a captured value linked to an anomaly equals a literal the commits added; undefined otherwise. */
function literalBehindAnomaly(commits: CommitFacts[], anomalies: Anomaly[], sites: readonly SiteEvidence[], normal: (name: string, a: Anomaly) => boolean): string | undefined {
  const literals = new Set(commits.flatMap((c) => c.addedLiterals ?? []).filter((l) => l.length >= 2 && !TRIVIAL.has(l)));
  if (!literals.size) return undefined;
  for (const a of anomalies) {
    const names = new Set([...a.identifiers, ...a.upstream.filter((u) => !normal(u, a))]);
    for (const s of sites) for (const o of s.observations) for (const [name, v] of Object.entries(o.values)) {
      if (v.unavailable || !names.has(leafName(name)) || !literals.has(v.text)) continue;
      return `${name} = ${v.type === 'string' ? JSON.stringify(v.text) : v.text} at ${siteKey(s.plan)}, behind the ${a.kind} at ${siteKey(a)}, is written literally in its diff`;
    }
  }
  return undefined;
}

/**
 * Runtime types seen per leaf name across all sites: a name upstream of an anomaly whose values were seen and
 * were always ordinary numbers cannot be where NaN (or a string, or undefined) came from.
 */
function observedTypes(sites: readonly SiteEvidence[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const s of sites) for (const o of s.observations) for (const [name, v] of Object.entries(o.values)) {
    if (v.unavailable || /[^\w$.?[\]]/.test(name)) continue; // plain reads only, not computed expressions
    const leaf = leafName(name);
    const set = out.get(leaf) ?? new Set<string>();
    set.add(v.type);
    out.set(leaf, set);
  }
  return out;
}

function external(input: ScoringInput, anomalies: Anomaly[], symptomHits: number) {
  const prior = [item('base', 'Starting point', 1, WEIGHTS.externalBase, 'a cause outside the code window (data, configuration, a dependency) is possible, but the question points at behaviour the code decides')];
  const evidence: ScoreItem[] = [];
  const strong: Strength = { confirmedOnPath: false };
  const explained = anomalies.some((a) => a.kind !== 'constant-branch');
  if (explained) evidence.push(item('explained', 'The code shows the anomaly', 1, WEIGHTS.externalExplained, `${anomalies.length} anomal${anomalies.length === 1 ? 'y' : 'ies'} observed in the code's own values`));
  else if (symptomHits >= input.minHits) {
    evidence.push(item('nothing-found', 'Nothing anomalous in the code', 1, WEIGHTS.externalNothingFound, `${symptomHits} observation(s) at the symptom site(s) look normal`));
  }
  const baselines = input.baselines ?? [];
  const shifted = baselines.find((b) => SHIFTED.has(b.change));
  const same = baselines.find((b) => b.role === 'symptom' && b.change === 'same');
  if (shifted) evidence.push(item('baseline-shift', 'Behaviour changed exactly at the deploy', 1, WEIGHTS.externalBaselineShift, `${shifted.detail} at ${siteKey(shifted)}`));
  else if (same) evidence.push(item('baseline-same', 'The symptom behaved the same before the deploy', 1, WEIGHTS.externalBaselineSame, `${same.detail} at ${siteKey(same)}`));
  return { prior, evidence, strong };
}

const ROLE_ORDER = { symptom: 0, change: 1, written: 2 } as const;
function bySite(a: SiteEvidence, b: SiteEvidence): number {
  return a.plan.file.localeCompare(b.plan.file) || a.plan.line - b.plan.line || ROLE_ORDER[a.plan.role] - ROLE_ORDER[b.plan.role];
}

function findCommit(commits: ReadonlyMap<string, CommitFacts>, sha: string): CommitFacts | undefined {
  return commits.get(sha) ?? [...commits.values()].find((c) => c.sha.startsWith(sha));
}

function newest(h: Hypothesis, commits: ReadonlyMap<string, CommitFacts>): number {
  return Math.max(0, ...h.suspectCommits.map((s) => Date.parse(findCommit(commits, s)?.committedAt ?? '') || 0));
}

function item(factor: string, label: string, value: number, weight: number, reason: string): ScoreItem {
  return { factor, label, value, weight, points: round(value * weight), reason };
}

const sum = (items: ScoreItem[]) => round(items.reduce((s, i) => s + i.points, 0));
const round = (x: number) => Math.round(x * 1000) / 1000;
function fmtHours(h: number): string {
  return h < 1 ? `${Math.round(h * 60)} min` : h < 48 ? `${round(h).toFixed(1)} h` : `${(h / 24).toFixed(1)} days`;
}
