import assert from 'node:assert/strict';
import path from 'node:path';
import { QUESTION, startTradingStage, type TradingStage } from '../../../backend/cli/demo/tradingStage';
import { InvestigationRunner, InvestigationStateError } from '../../../extension/core/assistant/ide/investigationRunner';
import { chatModelAsLanguageModel, type ChatMessage, type ChatModelPort, type ChatPart } from '../../../extension/core/assistant/ide/lmProvider';
import type { InvestigationView } from '../../../webview/views/investigationProtocol';
import { tempDir } from '../../support/tmp';

type Reply = Array<Exclude<ChatPart, { type: 'tool-result' }>>;
const call = (callId: string, name: string, input: object): Reply[number] => ({ type: 'tool-call', callId, name, input });

/** The text of the tool result answering `callId` (the adapter hands results back as user tool-result parts). */
function resultOf(messages: ChatMessage[], callId: string): string {
  for (const m of messages) for (const p of m.parts) if (p.type === 'tool-result' && p.callId === callId) return p.text;
  throw new Error(`no result for ${callId}`);
}

/** Line numbers in the new file of added lines matching `re`, from a unified diff. */
function addedLines(diff: string, file: string, re: RegExp): number[] {
  const out: number[] = [];
  let inFile = false;
  let line = 0;
  for (const l of diff.split('\n')) {
    if (l.startsWith('+++ ')) inFile = l.startsWith(`+++ ${file}`);
    else if (l.startsWith('@@')) line = Number(/\+(\d+)/.exec(l)![1]);
    else if (inFile && l.startsWith('+')) (re.test(l) && out.push(line), line++);
    else if (inFile && l.startsWith(' ')) line++;
  }
  return out;
}

/**
 * A chat model as VS Code would offer it (Copilot), scripted: it reads the tool results it gets back through
 * the LM-API adapter like a model would — which commit changed the notional, which line compares it — and
 * proposes probes there. Everything else is real: the trading service with the agent, its git history, the relay.
 */
function copilotLike(): { port: ChatModelPort; sent: ChatMessage[][] } {
  const sent: ChatMessage[][] = [];
  const port: ChatModelPort = {
    id: 'copilot-scripted',
    vendor: 'copilot',
    name: 'Scripted Copilot',
    async send(messages) {
      sent.push(messages);
      const step = sent.length;
      let reply: Reply = [{ type: 'text', text: 'Done.' }];
      if (step === 1) reply = [call('a1', 'recent_commits', { limit: 20 }), call('a2', 'search_code', { query: 'high-value fraud review threshold' })];
      if (step === 2) {
        const commits = JSON.parse(resultOf(messages, 'a1')) as { sha: string; subject: string }[];
        const culprit = commits.find((c) => /notional/i.test(c.subject))!;
        reply = [
          call('b1', 'update_hypotheses', { hypotheses: [{ id: 'h1', claim: `${culprit.subject} passes the notional as a formatted string`, suspectCommits: [culprit.sha], prediction: { description: 'order.notional is a string at the high-value comparison', anomalies: ['type-mismatch'], identifiers: ['notional'] } }] }),
          call('b2', 'commit_diff', { sha: culprit.sha }),
        ];
      }
      if (step === 3) {
        const search = JSON.parse(resultOf(messages, 'a2')) as { file: string; lines: { line: number; text: string }[] }[];
        const compare = search.flatMap((f) => f.lines.map((l) => ({ ...l, file: f.file }))).find((l) => /notional > HIGH_VALUE_THRESHOLD/.test(l.text))!;
        const { diff } = JSON.parse(resultOf(messages, 'b2')) as { diff: string };
        const changed = addedLines(diff, 'src/intake.ts', /notional/)[0]!;
        reply = [
          call('c1', 'propose_probe', { file: compare.file, line: compare.line, hypothesisIds: ['h1'], reason: 'where the high-value decision is made', role: 'symptom' }),
          call('c2', 'propose_probe', { file: 'src/intake.ts', line: changed, hypothesisIds: ['h1'], reason: 'the line the suspect commit changed', role: 'change' }),
        ];
      }
      if (step === 4) reply = [call('d1', 'wait_for_evidence', { seconds: 60 })];
      if (step === 5) reply = [call('e1', 'finish', { summary: 'the gateway notional arrives as a formatted string; the > comparison with the threshold is false' })];
      return (async function* () {
        yield* reply;
      })();
    },
  };
  return { port, sent };
}

describe('the editor\'s investigation runner, driven through the VS Code LM adapter (trading incident, real processes)', function () {
  this.timeout(180_000);
  let stage: TradingStage;
  let tmp: ReturnType<typeof tempDir>;

  before(async function () {
    this.timeout(120_000);
    tmp = tempDir();
    stage = await startTradingStage({ port: 0, work: path.join(tmp.dir, 'demo'), print: () => undefined });
  });
  after(async () => {
    await stage?.stop();
    tmp?.cleanup();
  });

  it('runs the model loop on a VS Code chat model; nothing is captured before a person approves; the culprit is confirmed', async () => {
    const views: InvestigationView[] = [];
    const runner = new InvestigationRunner({ session: () => stage.client, onChange: (v) => views.push(v), log: () => undefined }, { question: '', services: ['trading'], service: 'trading', repo: stage.repo });
    const { port, sent } = copilotLike();
    const run = runner.start({ question: QUESTION, service: 'trading', repo: stage.repo, model: { model: chatModelAsLanguageModel(port), name: 'Scripted Copilot (copilot, via VS Code)' }, maxMinutes: 2 });
    assert.throws(() => runner.start({ question: 'again', repo: stage.repo }), InvestigationStateError, 'one investigation at a time');

    // the person: waits until both proposals show, checks nothing ran yet, then approves them from the view
    for (let i = 0; i < 600 && runner.view.proposals.filter((p) => p.state === 'proposed').length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    const waiting = runner.view.proposals.filter((p) => p.state === 'proposed');
    assert.equal(waiting.length, 2, JSON.stringify(runner.view.proposals));
    for (const p of waiting) assert.equal((await stage.client.request('evidence.query', { probeId: p.probeId, limit: 10 })).items.length, 0, `${p.probeId} captured nothing before approval`);
    assert.deepEqual((await runner.approveLowRisk()).sort(), waiting.map((p) => p.probeId).sort());
    await assert.rejects(runner.decide(waiting[0]!.probeId, false), InvestigationStateError, 'a decided proposal cannot be decided again');

    const { result } = await run;
    assert.equal(result.investigator, 'model');
    assert.equal(result.status, 'confirmed', result.undetermined.join('\n'));
    assert.equal(result.culprit?.sha, stage.history.culprit.sha);
    assert.equal(sent.length, 5, 'five model steps went through the adapter; finish ends the loop');
    const last = views.at(-1)!;
    assert.equal(last.investigator, 'Scripted Copilot (copilot, via VS Code)');
    assert.equal(last.status, 'confirmed');
    assert.equal(last.hypotheses[0]!.id, 'h1');
    assert.ok(last.proposals.every((p) => p.decidedBy), 'every proposal records who decided');
    assert.match(last.report, /"[\d,]+\.00" \(string\) vs HIGH_VALUE_THRESHOLD = 10000 \(number\)/);
  });
});
