import assert from 'node:assert/strict';
import { SourceFacts } from '../../extension/core/assistant/code/lineFacts';
import type { CommitFacts } from '../../extension/core/assistant/commitFacts';
import { addObservations, newSite, type SiteEvidence } from '../../extension/core/assistant/evidence/sites';
import { commitHypothesis, externalHypothesis } from '../../extension/core/assistant/hypotheses';
import { planAt } from '../../extension/core/assistant/planner';
import type { Observation } from '../../extension/core/assistant/schema';
import { CONFIRM_MARGIN, scoreHypotheses, WEIGHTS, type ScoringInput } from '../../extension/core/assistant/scorer';

const VALIDATION = new SourceFacts("function v(t) {\n  const amount = t.amount;\n  const high = amount > LIMIT;\n  return high;\n}\n");
const INTAKE = new SourceFacts('function p(b) {\n  const amount = fmt(b.qty * b.price);\n  return { amount };\n}\nfunction q(b) {\n  return b.side;\n}\n');

const commit = (sha: string, over: Partial<CommitFacts>): CommitFacts => ({
  sha: sha.padEnd(40, '0'),
  subject: `commit ${sha}`,
  author: 'A',
  committedAt: '2030-01-01T00:00:00.000Z',
  files: ['src/intake.js'],
  codeFiles: ['src/intake.js'],
  codeLinesChanged: 4,
  executableLinesChanged: 4,
  surviving: [],
  writes: [],
  reads: [],
  removedWrites: [],
  functions: [],
  addedCalls: [],
  removedCalls: [],
  terms: [],
  searchFiles: [],
  searchScore: 0,
  deletedLines: [],
  addedLiterals: [],
  hoursBefore: 24,
  ...over,
});

function site(facts: SourceFacts, file: string, line: number, role: 'symptom' | 'change' | 'written', ids: string[], observations: Observation[], captures?: string[]): SiteEvidence {
  const s = newSite(planAt(facts, { file, line }, role, ids, 'test', captures)!);
  s.probeId = `p-${file.length}-${line}-${role}`;
  s.state = 'live';
  s.bound = true;
  addObservations(s, observations.map((o) => ({ ...o, probeId: s.probeId! })));
  return s;
}

const obs = (i: number, values: Record<string, [string, string]>): Observation => ({
  probeId: 'p',
  evidenceId: i,
  at: `2030-01-02T00:00:${String(i).padStart(2, '0')}.000Z`,
  instance: 'i-1',
  values: Object.fromEntries(Object.entries(values).map(([k, [type, text]]) => [k, { type, text }])),
});
const many = (n: number, values: Record<string, [string, string]>) => Array.from({ length: n }, (_, i) => obs(i + 1, values));

/** The headline case: culprit writes `amount` as a string; a decoy touched the validation file more recently. */
function headline(): ScoringInput {
  const culprit = commit('c0ffee', { surviving: [{ file: 'src/intake.js', line: 2 }], writes: ['amount'], reads: ['b', 'fmt'], pathDistance: 2, hoursBefore: 40 });
  const decoy = commit('dec0ab', { files: ['src/validation.js'], codeFiles: ['src/validation.js'], surviving: [{ file: 'src/validation.js', line: 3 }], writes: ['high'], reads: ['amount', 'LIMIT'], searchFiles: ['src/validation.js'], searchScore: 1, pathDistance: 0, terms: ['high'], hoursBefore: 5, codeLinesChanged: 1, executableLinesChanged: 1 });
  const idle = commit('1d1e', { surviving: [{ file: 'src/intake.js', line: 6 }], writes: [], reads: ['b'], pathDistance: 2, hoursBefore: 10 });
  const hypotheses = [externalHypothesis(), commitHypothesis('h1', decoy), commitHypothesis('h2', culprit), commitHypothesis('h3', idle)];
  const sites = [
    site(VALIDATION, 'src/validation.js', 3, 'symptom', [], many(12, { amount: ['string', '15,000'], LIMIT: ['number', '10000'], 'amount > LIMIT': ['boolean', 'false'] })),
    site(INTAKE, 'src/intake.js', 2, 'change', ['h2'], many(12, { 'b.qty': ['number', '10'], 'b.price': ['number', '1500'], b: ['object', '{}'] })),
    site(INTAKE, 'src/intake.js', 3, 'written', ['h2'], many(12, { amount: ['string', '15,000'] }), ['amount']),
    site(INTAKE, 'src/intake.js', 6, 'change', ['h3'], []),
  ];
  return { hypotheses, commits: new Map([culprit, decoy, idle].map((c) => [c.sha, c])), sites, minHits: 5 };
}

describe('assistant scorer', () => {
  it('confirms the commit whose written value is the anomaly on the executed path, and explains every point', () => {
    const scores = scoreHypotheses(headline());
    const top = scores[0]!;
    assert.equal(top.hypothesisId, 'h2');
    assert.equal(top.verdict, 'confirmed');
    assert.ok(top.logit - scores[1]!.logit >= CONFIRM_MARGIN);
    const factors = [...top.prior, ...top.evidence].map((i) => i.factor);
    for (const f of ['base', 'recency', 'path', 'writes-anomalous', 'own-anomaly', 'linked-write', 'executed']) assert.ok(factors.includes(f), `missing ${f} in ${factors}`);
    const sum = (xs: { points: number }[]) => Math.round(xs.reduce((s, i) => s + i.points, 0) * 1000) / 1000;
    assert.equal(top.priorPoints, sum(top.prior));
    assert.equal(top.evidencePoints, sum(top.evidence));
    assert.equal(top.logit, Math.round((top.priorPoints + top.evidencePoints) * 1000) / 1000);
    for (const i of [...top.prior, ...top.evidence]) assert.ok(i.reason.length > 0 && i.points === Math.round(i.value * i.weight * 1000) / 1000, `${i.factor} explains itself`);
    const linked = top.evidence.find((i) => i.factor === 'linked-write')!;
    assert.match(linked.reason, /type-mismatch at src\/validation\.js:3 on amount: amount = "15,000" \(string\) vs LIMIT = 10000 \(number\) \(12 of 12\)/);
    assert.ok(Math.abs(scores.reduce((s, x) => s + x.share, 0) - 1) < 0.01);
  });

  it('refutes a commit whose lines never ran while the symptom did; the external hypothesis loses to the evidence', () => {
    const scores = scoreHypotheses(headline());
    const idle = scores.find((s) => s.hypothesisId === 'h3')!;
    assert.equal(idle.verdict, 'refuted');
    assert.equal(idle.evidence.find((i) => i.factor === 'not-executed')?.points, WEIGHTS.notExecuted);
    const external = scores.find((s) => s.hypothesisId === 'h0')!;
    assert.equal(external.evidence[0]!.factor, 'explained');
    const decoy = scores.find((s) => s.hypothesisId === 'h1')!;
    assert.equal(decoy.verdict, 'open');
    assert.ok(decoy.prior.some((i) => i.factor === 'search'));
  });

  it('is deterministic: the same inputs in any order give the same scores, byte for byte', () => {
    const a = scoreHypotheses(headline());
    const input = headline();
    const shuffled: ScoringInput = { ...input, hypotheses: [...input.hypotheses].reverse(), sites: [...input.sites].reverse(), commits: new Map([...input.commits].reverse()) };
    assert.equal(JSON.stringify(scoreHypotheses(shuffled)), JSON.stringify(a));
    assert.equal(JSON.stringify(scoreHypotheses(headline())), JSON.stringify(a));
  });

  it('does not confirm when two hypotheses explain the evidence equally well', () => {
    const input = headline();
    const twin = commit('7e1e', { ...input.commits.get('c0ffee'.padEnd(40, '0'))!, sha: '7e1e'.padEnd(40, '0'), surviving: [{ file: 'src/intake.js', line: 2 }] });
    input.commits = new Map([...input.commits, [twin.sha, twin]]);
    input.hypotheses = [...input.hypotheses, commitHypothesis('h4', twin)];
    input.sites = input.sites.map((s) => (s.plan.hypothesisIds.includes('h2') ? { ...s, plan: { ...s.plan, hypothesisIds: ['h2', 'h4'] } } : s));
    const scores = scoreHypotheses(input);
    assert.deepEqual(scores.slice(0, 2).map((s) => s.verdict), ['open', 'open']);
    assert.match(scores[0]!.verdictReason, /not 1 point\(s\) ahead/);
  });

  it('weighs commit features before any evidence: after the incident, comments only, no production code', () => {
    const late = commit('1a7e', { hoursBefore: -2 });
    const comments = commit('c0de', { executableLinesChanged: 0 });
    const docs = commit('d0c5', { files: ['README.md'], codeFiles: [], codeLinesChanged: 0, executableLinesChanged: 0 });
    const scores = scoreHypotheses({ hypotheses: [commitHypothesis('a', late), commitHypothesis('b', comments), commitHypothesis('c', docs)], commits: new Map([late, comments, docs].map((c) => [c.sha, c])), sites: [], minHits: 5 });
    const of = (id: string) => scores.find((s) => s.hypothesisId === id)!;
    assert.equal(of('a').verdict, 'refuted');
    assert.ok(of('a').prior.some((i) => i.factor === 'after-incident'));
    assert.equal(of('b').prior.find((i) => i.factor === 'no-code')?.label, 'Changes only comments or blank lines');
    assert.equal(of('c').prior.find((i) => i.factor === 'no-code')?.label, 'Changes no production code');
  });
});
