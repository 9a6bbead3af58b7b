import assert from 'node:assert/strict';
import { MockLanguageModelV3 } from 'ai/test';
import { lowRiskApprover, relayRuntime, runModelInvestigation } from '../../extension/core/assistant';
import { trading } from '../../bench/assistant/scenarios/trading';
import { startWorld, type World } from '../../bench/assistant/world';

// the provider types, as the installed SDK's mock model declares them (not imported from a transitive package)
type DoGenerate = MockLanguageModelV3['doGenerate'];
type Prompt = Parameters<DoGenerate>[0]['prompt'];
type LanguageModelV3GenerateResult = Awaited<ReturnType<DoGenerate>>;
type LanguageModelV3Content = LanguageModelV3GenerateResult['content'][number];

/** The latest result the loop fed back for a tool (the SDK puts tool results in the next call's prompt). */
function lastResult(prompt: Prompt, toolName: string): { type: string; value: unknown } | undefined {
  let found: { type: string; value: unknown } | undefined;
  for (const m of prompt) {
    if (m.role !== 'tool') continue;
    for (const part of m.content) if (part.type === 'tool-result' && part.toolName === toolName) found = part.output as { type: string; value: unknown };
  }
  return found;
}

const call = (id: string, toolName: string, input: unknown): LanguageModelV3Content => ({ type: 'tool-call', toolCallId: id, toolName, input: JSON.stringify(input) });
const turn = (content: LanguageModelV3Content[]): LanguageModelV3GenerateResult => ({
  content,
  finishReason: { unified: content.some((c) => c.type === 'tool-call') ? 'tool-calls' : 'stop', raw: undefined },
  usage: { inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 10, text: 10, reasoning: 0 } },
  warnings: [],
});

/**
 * A scripted model: it reads the tool results it was given like a model would (which commit changed the
 * notional, which line compares it), makes one invalid call on purpose, and proposes probes by line.
 */
function scriptedModel(): { model: MockLanguageModelV3; prompts: Prompt[] } {
  const prompts: Prompt[] = [];
  const model = new MockLanguageModelV3({
    doGenerate: async (options) => {
      prompts.push(options.prompt);
      const step = prompts.length;
      const p = options.prompt;
      if (step === 1) return turn([call('a1', 'list_services', {}), call('a2', 'recent_commits', { limit: 20 }), call('a3', 'search_code', { query: 'high-value validation' })]);
      if (step === 2) return turn([call('b1', 'propose_probe', { file: 'src/validation.js', line: -3, hypothesisIds: ['h1'], reason: 'oops' })]);
      if (step === 3) {
        const commits = lastResult(p, 'recent_commits')!.value as { sha: string; subject: string }[];
        const notional = commits.find((c) => /notional/i.test(c.subject))!;
        const other = commits.find((c) => /wording/i.test(c.subject))!;
        return turn([
          call('c1', 'update_hypotheses', {
            hypotheses: [
              { id: 'h1', claim: 'The notional format change makes amount a string', suspectCommits: [notional.sha], suspectLocations: [{ file: 'src/intake.js', line: 9, reason: 'formats the amount' }], prediction: { description: 'amount is a string at the high-value comparison', anomalies: ['type-mismatch'], identifiers: ['amount'] } },
              { id: 'h2', claim: 'The wording change broke validation', suspectCommits: [other.sha], prediction: { description: 'the quantity check misbehaves', anomalies: ['type-mismatch', 'nan'] } },
            ],
          }),
          call('c2', 'read_code', { file: 'src/intake.js', startLine: 1, endLine: 20 }),
        ]);
      }
      if (step === 4) {
        const search = lastResult(p, 'search_code')!.value as { file: string; lines: { line: number; text: string }[] }[];
        const compare = search.flatMap((f) => f.lines.map((l) => ({ ...l, file: f.file }))).find((l) => /highValue = amount >/.test(l.text))!;
        const intake = String(lastResult(p, 'read_code')!.value).split('\n');
        const produced = Number(intake.find((l) => /formatNotional\(qty/.test(l))!.split(':')[0]);
        return turn([
          call('d1', 'propose_probe', { file: compare.file, line: compare.line, hypothesisIds: ['h1', 'h2'], reason: 'the high-value decision', role: 'symptom' }),
          call('d2', 'propose_probe', { file: 'src/intake.js', line: produced + 1, captures: ['amount', 'qty', 'price'], hypothesisIds: ['h1'], reason: 'what the new format produced', role: 'written' }),
        ]);
      }
      if (step === 5) return turn([call('e1', 'wait_for_evidence', { seconds: 60 })]);
      if (step === 6) return turn([call('f1', 'get_scores', {})]);
      if (step === 7) return turn([call('g1', 'finish', { summary: 'amount became a formatted string in parseOrder; the > comparison is always false' })]);
      return turn([{ type: 'text', text: 'done' }]);
    },
  });
  return { model, prompts };
}

describe('assistant: model-driven loop (ai SDK mock model, scripted tool calls)', function () {
  this.timeout(120_000);
  let world: World;
  before(async () => {
    world = await startWorld(trading);
  });
  after(() => world?.close());

  it('runs the same investigation through validated tools; tool errors go back to the model; the scorer stays ours', async () => {
    const { model, prompts } = scriptedModel();
    const { result, report } = await runModelInvestigation({
      model,
      question: trading.question,
      repo: world.repo.dir,
      runtime: relayRuntime(world.ai),
      approver: lowRiskApprover(world.person),
      maxMinutes: 2,
    });

    const error = lastResult(prompts[2]!, 'propose_probe');
    assert.equal(error?.type, 'error-text', 'the invalid call came back as a tool error');
    assert.match(String(error?.value), /line/i);
    assert.equal(prompts.length, 7, 'the loop stops at finish');

    assert.equal(result.investigator, 'model');
    assert.equal(result.status, 'confirmed', report);
    assert.equal(result.culprit?.sha, world.repo.culprit);
    assert.equal(result.scores[0]!.hypothesisId, 'h1');
    assert.ok(result.scores[0]!.evidence.some((i) => i.factor === 'own-anomaly'), 'scored by Runtruth from the evidence the model asked for');
    assert.ok(result.hypotheses.find((h) => h.id === 'h1')?.origin === 'model');
    assert.ok(result.sites.every((s) => s.approval?.origin === 'ai' && s.approval.decision === 'approved'));
    assert.ok(result.notes.some((n) => n.includes('model’s summary') || n.includes("model's summary")));
    const scores = lastResult(prompts[6]!, 'get_scores')!.value as { id: string; breakdown: string[] }[];
    assert.equal(scores[0]!.id, 'h1');
    assert.ok(scores[0]!.breakdown.some((b) => /Anomaly on a value this change writes/.test(b)));
  });
});
