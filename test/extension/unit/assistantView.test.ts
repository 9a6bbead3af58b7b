import assert from 'node:assert/strict';
import type { InvestigationEvent } from '../../../extension/core/assistant/events';
import { applyEvent, idleView, startedView } from '../../../extension/core/assistant/ide/investigationView';
import { Hypothesis, Score } from '../../../extension/core/assistant/schema';
import { parsePanelMessage } from '../../../webview/protocol';
import { parseInvestigationAction } from '../../../webview/views/investigationProtocol';
import { parseMarkdown } from '../../../webview/views/investigationMarkdownParse';

const CULPRIT = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const h1 = Hypothesis.parse({ id: 'h1', claim: 'Commit a1b2c3d4 changed the notional', suspectCommits: [CULPRIT], prediction: { description: 'a string notional' } });
const h0 = Hypothesis.parse({ id: 'h0', kind: 'external', claim: 'Nothing in the window', prediction: { description: 'no anomaly' } });
const item = (factor: string, points: number) => ({ factor, label: factor, value: 1, weight: points, points, reason: `because ${factor}` });
const score = (id: string, rank: number, share: number, verdict: 'confirmed' | 'open' | 'refuted') =>
  Score.parse({ hypothesisId: id, prior: [item('recency', 1.5)], evidence: verdict === 'confirmed' ? [item('type-mismatch', 4)] : [], priorPoints: 1.5, evidencePoints: verdict === 'confirmed' ? 4 : 0, logit: verdict === 'confirmed' ? 5.5 : 1.5, probability: 0.9, share, rank, verdict, verdictReason: `${verdict} by test` });

function run(events: InvestigationEvent[]) {
  const start = startedView(idleView({ question: '', services: ['trading'], service: 'trading', repo: '/repo' }, true), { question: 'why?', repo: '/repo', investigator: 'builtin' });
  return events.reduce(applyEvent, start);
}

const proposal = { probeId: 'p-1', summary: 'src/validation.ts:12 — log capturing order.notional', reason: 'where the high-value check is decided', state: 'proposed', risk: { low: true, concerns: [] }, file: 'src/validation.ts', line: 12, kind: 'log', captures: ['order.notional', 'HIGH_VALUE_THRESHOLD'], expression: 'order.notional={order.notional}' };
const observation = { probeId: 'p-1', evidenceId: 7, at: '2026-01-01T00:00:00.000Z', instance: 'i-1', values: { 'order.notional': { type: 'string', text: '27,000.00' }, HIGH_VALUE_THRESHOLD: { type: 'number', text: '10000' } } };
const anomaly = { file: 'src/validation.ts', line: 12, kind: 'type-mismatch' as const, probeId: 'p-1', expression: 'order.notional > HIGH_VALUE_THRESHOLD', identifiers: ['notional'], upstream: [], detail: 'a string is compared with a number', count: 5, total: 5, examples: ['order.notional = "27,000.00" (string)'], evidenceIds: [7] };

describe('Investigation tab: view model (host side)', () => {
  it('folds an investigation into hypotheses with scores and breakdowns, proposals with what they capture, evidence and the report', () => {
    const view = run([
      { type: 'context', service: 'trading', deployed: CULPRIT, window: '3 commits', timeline: [], searched: ['src/validation.ts (high, value)'], terms: [] },
      { type: 'hypotheses', hypotheses: [h0, h1] },
      { type: 'proposed', proposals: [proposal] },
      { type: 'decided', probeId: 'p-1', state: 'live', decidedBy: 'alice' },
      { type: 'evidence', probeId: 'p-1', file: 'src/validation.ts', line: 12, observations: 5, latest: observation, anomalies: [anomaly] },
      { type: 'scores', hypotheses: [h0, h1], scores: [score('h1', 1, 0.9, 'confirmed'), score('h0', 2, 0.1, 'open')] },
      { type: 'finished', status: 'confirmed', culprit: CULPRIT, reportMarkdown: '# Root cause analysis' },
    ]);
    assert.equal(view.status, 'confirmed');
    assert.equal(view.culprit, CULPRIT.slice(0, 8));
    assert.deepEqual(view.hypotheses.map((h) => [h.id, h.rank, h.commit, h.verdict]), [['h1', 1, CULPRIT.slice(0, 8), 'confirmed'], ['h0', 2, undefined, 'open']]);
    assert.deepEqual(view.hypotheses[0]!.factors.map((f) => [f.part, f.label, f.points]), [['prior', 'recency', 1.5], ['evidence', 'type-mismatch', 4]]);
    const [p] = view.proposals;
    assert.deepEqual([p!.location, p!.state, p!.decidedBy, p!.captures, p!.expression], ['src/validation.ts:12', 'live', 'alice', ['order.notional', 'HIGH_VALUE_THRESHOLD'], 'order.notional={order.notional}']);
    assert.deepEqual(view.evidence[0]!.latest, ['order.notional = "27,000.00" (string)', 'HIGH_VALUE_THRESHOLD = 10000 (number)']);
    assert.match(view.evidence[0]!.anomalies[0]!, /^type-mismatch in order\.notional > HIGH_VALUE_THRESHOLD: .*\(5 of 5\)/);
    assert.equal(view.report, '# Root cause analysis');
    assert.ok(view.steps.some((s) => s === 'p-1 approved by alice'), view.steps.join('\n'));
    assert.equal(view.context?.deployed, CULPRIT.slice(0, 8));
  });

  it('keeps newly proposed hypotheses visible (unscored) until the next scores, and replaces a re-proposed probe', () => {
    const view = run([{ type: 'hypotheses', hypotheses: [h0, h1] }, { type: 'proposed', proposals: [proposal] }, { type: 'proposed', proposals: [{ ...proposal, state: 'live' }] }]);
    assert.deepEqual(view.hypotheses.map((h) => [h.id, h.verdictReason]), [['h0', 'not scored yet'], ['h1', 'not scored yet']]);
    assert.equal(view.proposals.length, 1);
    assert.equal(view.proposals[0]!.state, 'live');
  });

  it('accepts only well-formed actions from the webview (untrusted input)', () => {
    assert.deepEqual(parsePanelMessage({ type: 'investigationAction', action: { kind: 'approve', probeId: 'p-1' } }), { type: 'investigationAction', action: { kind: 'approve', probeId: 'p-1' } });
    assert.deepEqual(parseInvestigationAction({ kind: 'start', question: '  why?  ', service: '' }), { kind: 'start', question: 'why?', service: '' });
    for (const bad of [{ kind: 'approve', probeId: '../x' }, { kind: 'start', question: '   ', service: '' }, { kind: 'start', question: 'x'.repeat(2001), service: '' }, { kind: 'reveal', file: 'a.ts', line: 0 }, { kind: 'delete' }, null, 'approve']) {
      assert.equal(parseInvestigationAction(bad), undefined, JSON.stringify(bad));
    }
    assert.equal(parsePanelMessage({ type: 'investigationAction', action: { kind: 'reject' } }), undefined);
  });
});

describe('Investigation tab: the report\'s Markdown', () => {
  it('parses headings, paragraphs, nested lists, tables with escaped pipes, fenced code and inline code/bold', () => {
    const blocks = parseMarkdown(['# Title', '', '**Status: confirmed.** Commit `abc` "x"', '', '- one `a`', '  - nested', '- two', '', '| A | B |', '|---|---|', '| `x \\| y` | 2 |', '', '```', 'src/a.ts:1  const x = 1;', '```'].join('\n'));
    assert.deepEqual(blocks.map((b) => b.t), ['heading', 'paragraph', 'list', 'table', 'code']);
    assert.deepEqual(blocks[1], { t: 'paragraph', inline: [{ t: 'strong', v: 'Status: confirmed.' }, { t: 'text', v: ' Commit ' }, { t: 'code', v: 'abc' }, { t: 'text', v: ' "x"' }] });
    const list = blocks[2] as Extract<(typeof blocks)[number], { t: 'list' }>;
    assert.equal(list.items.length, 2);
    assert.deepEqual(list.items[0]!.children.map((c) => c.t), ['list']);
    const table = blocks[3] as Extract<(typeof blocks)[number], { t: 'table' }>;
    assert.deepEqual(table.rows[0]![0], [{ t: 'code', v: 'x | y' }]);
    assert.deepEqual(blocks[4], { t: 'code', text: 'src/a.ts:1  const x = 1;' });
  });

  it('never produces markup from the text: tags, links and images stay literal', () => {
    const evil = 'order.notional = "<img src=x onerror=alert(1)>" [link](javascript:alert(1)) <script>alert(1)</script>';
    const [p] = parseMarkdown(evil);
    assert.deepEqual(p, { t: 'paragraph', inline: [{ t: 'text', v: evil }] });
  });
});
