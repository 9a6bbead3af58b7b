import type { EvidenceSiteRow, HypothesisRow, InvestigationView, ProposalRow } from '../../../../webview/views/investigationProtocol';
import type { InvestigationEvent } from '../events';
import type { Anomaly, Hypothesis, Observation, Score } from '../schema';

/** Most step lines kept (the report has the whole story). */
const MAX_STEPS = 200;

export function idleView(defaults: InvestigationView['defaults'], canDecide: boolean): InvestigationView {
  return { status: 'idle', question: '', investigator: 'builtin', canDecide, defaults, hypotheses: [], proposals: [], evidence: [], steps: [], report: '' };
}

/** A fresh running investigation, keeping the form's defaults. */
export function startedView(previous: InvestigationView, start: { question: string; service?: string; repo: string; investigator: string }): InvestigationView {
  return {
    ...idleView(previous.defaults, previous.canDecide),
    status: 'running',
    question: start.question,
    ...(start.service ? { service: start.service } : {}),
    repo: start.repo,
    investigator: start.investigator,
    steps: [`investigating with ${start.investigator === 'builtin' ? 'the built-in investigator (no model)' : start.investigator}`],
  };
}

/**
 * Folds one investigation event into what the Investigation tab shows. Pure, so the tab's content is tested
 * without a webview, and the same function feeds the chat participant's summaries.
 */
export function applyEvent(view: InvestigationView, event: InvestigationEvent): InvestigationView {
  switch (event.type) {
    case 'context':
      return step({ ...view, service: event.service, context: { deployed: event.deployed.slice(0, 8), ...(event.previous ? { previous: event.previous.slice(0, 8) } : {}), window: event.window, searched: event.searched } }, `${event.service}: deployed ${event.deployed.slice(0, 8)}; ${event.window}`);
    case 'hypotheses':
      return step({ ...view, hypotheses: mergeHypotheses(view.hypotheses, event.hypotheses) }, `${event.hypotheses.length} hypotheses`);
    case 'scores':
      return { ...view, hypotheses: hypothesisRows(event.hypotheses, event.scores) };
    case 'proposed': {
      const rows: ProposalRow[] = event.proposals.map((p) => ({
        probeId: p.probeId,
        location: `${p.file}:${p.line}`,
        file: p.file,
        line: p.line,
        kind: p.kind,
        captures: p.captures,
        expression: p.expression,
        summary: p.summary,
        reason: p.reason,
        risk: p.risk,
        state: proposalState(p.state),
      }));
      const known = new Set(rows.map((r) => r.probeId));
      return step({ ...view, proposals: [...view.proposals.filter((r) => !known.has(r.probeId)), ...rows] }, ...rows.map((r) => `proposed ${r.probeId} at ${r.location}`));
    }
    case 'decided': {
      const proposals = view.proposals.map((p) => (p.probeId === event.probeId ? { ...p, state: event.state, ...(event.decidedBy ? { decidedBy: event.decidedBy } : {}) } : p));
      const what = { live: 'approved', rejected: 'rejected', ended: 'removed', failed: 'failed', proposed: 'proposed', planned: 'planned' }[event.state];
      return step({ ...view, proposals }, `${event.probeId} ${what}${event.decidedBy ? ` by ${event.decidedBy}` : ''}${event.reason ? `: ${event.reason}` : ''}`);
    }
    case 'evidence': {
      const row: EvidenceSiteRow = {
        probeId: event.probeId,
        location: `${event.file}:${event.line}`,
        file: event.file,
        line: event.line,
        observations: event.observations,
        latest: valueTexts(event.latest),
        anomalies: event.anomalies.map(anomalyText),
      };
      const others = view.evidence.filter((e) => e.probeId !== event.probeId);
      return { ...view, evidence: [...others, row].sort((a, b) => a.location.localeCompare(b.location)) };
    }
    case 'round':
      return step(view, `round ${event.round}: ${event.reason}`);
    case 'note':
      return step(view, `note: ${event.text}`);
    case 'finished':
      return step({ ...view, status: event.status, report: event.reportMarkdown, ...(event.culprit ? { culprit: event.culprit.slice(0, 8) } : {}) }, event.culprit ? `confirmed: culprit ${event.culprit.slice(0, 8)}` : 'undetermined');
  }
}

/** `amount = "15,000.00" (string)` per captured value. */
export function valueTexts(o: Observation): string[] {
  return Object.entries(o.values).map(([name, v]) => (v.unavailable ? `${name} unavailable` : `${name} = ${v.type === 'string' ? JSON.stringify(v.text) : v.text} (${v.type})`));
}

export function anomalyText(a: Anomaly): string {
  return `${a.kind} in ${a.expression}: ${a.detail} (${a.count} of ${a.total})${a.examples[0] ? `, e.g. ${a.examples[0]}` : ''}`;
}

export function hypothesisRows(hypotheses: readonly Hypothesis[], scores: readonly Score[]): HypothesisRow[] {
  return scores.map((s) => {
    const h = hypotheses.find((x) => x.id === s.hypothesisId);
    return {
      id: s.hypothesisId,
      rank: s.rank,
      claim: h?.claim ?? '',
      ...(h?.suspectCommits[0] ? { commit: h.suspectCommits[0].slice(0, 8) } : {}),
      verdict: s.verdict,
      verdictReason: s.verdictReason,
      share: s.share,
      logit: s.logit,
      priorPoints: s.priorPoints,
      evidencePoints: s.evidencePoints,
      factors: [...s.prior.map((i) => ({ part: 'prior' as const, ...factor(i) })), ...s.evidence.map((i) => ({ part: 'evidence' as const, ...factor(i) }))],
    };
  });
}

const factor = (i: Score['prior'][number]) => ({ label: i.label, value: i.value, weight: i.weight, points: i.points, reason: i.reason });

/** Unscored hypotheses (just proposed) keep their place until the next scores arrive. */
function mergeHypotheses(rows: readonly HypothesisRow[], hypotheses: readonly Hypothesis[]): HypothesisRow[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return hypotheses.map(
    (h, i) =>
      byId.get(h.id) ?? {
        id: h.id,
        rank: i + 1,
        claim: h.claim,
        ...(h.suspectCommits[0] ? { commit: h.suspectCommits[0].slice(0, 8) } : {}),
        verdict: 'open',
        verdictReason: 'not scored yet',
        share: 0,
        logit: 0,
        priorPoints: 0,
        evidencePoints: 0,
        factors: [],
      },
  );
}

function proposalState(state: string): ProposalRow['state'] {
  return (['proposed', 'live', 'rejected', 'ended', 'failed', 'planned'] as const).find((s) => s === state) ?? 'live';
}

function step(view: InvestigationView, ...lines: string[]): InvestigationView {
  const steps = [...view.steps, ...lines];
  return { ...view, steps: steps.length > MAX_STEPS ? steps.slice(-MAX_STEPS) : steps };
}
