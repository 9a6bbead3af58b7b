import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RelayClient } from '../../../backend/client/relayClient';
import { runChatTurn, type ChatOutput } from '../../../extension/core/assistant/ide/chatTurn';
import { invokeTool, TOOL_INPUTS, toolJsonSchema, ToolInputError, type ToolName } from '../../../extension/core/assistant/ide/lmTools';
import type { Investigation } from '../../../extension/core/assistant/investigator';
import { ROOT } from '../../support/proc';
import { Harness } from '../../relay/helpers';

interface ToolContribution {
  name: string;
  modelDescription: string;
  inputSchema: object;
}
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { languageModelTools: ToolContribution[]; chatParticipants: { id: string; name: string }[]; commands: { command: string }[] } };

describe('Language Model Tools (vscode-free core, a real relay)', function () {
  this.timeout(30_000);
  let harness: Harness;
  let client: RelayClient;
  const deps = () => ({ session: () => client, investigate: async (q: string, s?: string) => `report for ${q} on ${s ?? 'any'}` });

  before(async () => {
    harness = await Harness.start();
    await harness.agent({ service: 'trading', commit: 'a1b2c3d4e5f6' }); // a protocol-level agent: the service exists
    client = await RelayClient.connect({ relay: harness.relay.url, token: harness.adminToken.trim(), clientName: 'tools-test' });
  });
  after(async () => {
    await client?.close();
    await harness?.close();
  });

  it('declares in package.json exactly the tools it registers, with the JSON schema of their zod inputs', () => {
    const declared = manifest.contributes.languageModelTools;
    assert.deepEqual(declared.map((t) => t.name).sort(), Object.keys(TOOL_INPUTS).sort());
    for (const t of declared) {
      assert.deepEqual(t.inputSchema, toolJsonSchema(t.name as ToolName), `${t.name}'s inputSchema matches its zod schema`);
      assert.ok(t.modelDescription.length > 40);
    }
    assert.deepEqual(manifest.contributes.chatParticipants.map((p) => [p.id, p.name]), [['runtruth.assistant', 'runtruth']]);
    for (const c of ['runtruth.investigate', 'runtruth.approveProposal', 'runtruth.rejectProposal', 'runtruth.saveInvestigationReport']) assert.ok(manifest.contributes.commands.some((x) => x.command === c), c);
  });

  it('proposes a probe as an AI proposal that waits for a person, and reads its (empty) evidence', async () => {
    const text = await invokeTool('runtruth_propose_probe', { service: 'trading', file: 'src/validation.ts', line: 12, template: 'notional={order.notional} ({typeof order.notional})', reason: 'see the type at the comparison' }, deps());
    const probeId = /Probe (\S+) at src\/validation\.ts:12/.exec(text)?.[1];
    assert.ok(probeId, text);
    assert.match(text, /a person must approve it/);
    const { probes } = await client.request('probe.list', {});
    const placed = probes.find((p) => p.probe.id === probeId)!;
    assert.equal(placed.state, 'proposed');
    assert.equal(placed.approval?.origin, 'ai');
    assert.match(await invokeTool('runtruth_get_evidence', { probeId }, deps()), /No evidence for/);
  });

  it('rejects invalid or state-changing input with a message the model can act on, placing nothing', async () => {
    const before = (await client.request('probe.list', {})).probes.length;
    await assert.rejects(invokeTool('runtruth_propose_probe', { service: 'trading', file: 'a.ts', line: 0, template: 'x', reason: 'r' }, deps()), (e: unknown) => e instanceof ToolInputError && /line/.test(e.message));
    await assert.rejects(invokeTool('runtruth_propose_probe', { service: 'trading', file: 'a.ts', line: 3, template: 'x={order.amount = 0}', reason: 'r' }, deps()), ToolInputError);
    await assert.rejects(invokeTool('runtruth_get_evidence', { probeId: 'p-1', extra: true }, deps()), ToolInputError);
    assert.equal((await client.request('probe.list', {})).probes.length, before);
  });

  it('lists services with their instances and deployed commits, and hands investigations to the editor', async () => {
    assert.match(await invokeTool('runtruth_list_services', {}, deps()), /^- trading \(1\/1 live\)\n  - i-\d+: connected, pid 1234, started .*, commit a1b2c3d4$/);
    assert.equal(await invokeTool('runtruth_investigate', { question: 'why slow?', service: 'trading' }, deps()), 'report for why slow? on trading');
  });
});

describe('@runtruth chat turn (vscode-free core)', () => {
  const recorder = () => {
    const lines: string[] = [];
    const buttons: Array<{ command: string; title: string; args: unknown[] }> = [];
    const out: ChatOutput = { markdown: (t) => lines.push(t), progress: (t) => lines.push(`(progress) ${t}`), button: (command, title, args) => buttons.push({ command, title, args }) };
    return { out, lines, buttons };
  };

  it('answers an empty prompt with help, without investigating', async () => {
    const { out, lines } = recorder();
    let ran = false;
    const meta = await runChatTurn('  ', out, { investigator: 'builtin', investigate: async () => ((ran = true), {} as Investigation) });
    assert.equal(ran, false);
    assert.equal(meta.status, 'help');
    assert.match(lines.join(''), /@runtruth/);
  });

  it('streams proposals with Approve/Reject buttons for that probe, each anomaly once, and ends with the report', async () => {
    const { out, lines, buttons } = recorder();
    const anomaly = { file: 'src/validation.ts', line: 12, kind: 'type-mismatch' as const, probeId: 'p-9', expression: 'a > b', identifiers: ['a'], upstream: [], detail: 'string vs number', count: 3, total: 3, examples: ['a = "1,000" (string)'], evidenceIds: [] };
    const latest = { probeId: 'p-9', at: 'now', instance: 'i', values: {} };
    const meta = await runChatTurn('why are trades not flagged?', out, {
      investigator: 'builtin',
      investigate: async (question, onEvent) => {
        assert.equal(question, 'why are trades not flagged?');
        onEvent({ type: 'proposed', proposals: [{ probeId: 'p-9', summary: 's', reason: 'check the type', state: 'proposed', risk: { low: true, concerns: [] }, file: 'src/validation.ts', line: 12, kind: 'log', captures: ['a', 'b'], expression: 'a={a}' }] });
        onEvent({ type: 'evidence', probeId: 'p-9', file: 'src/validation.ts', line: 12, observations: 1, latest, anomalies: [anomaly] });
        onEvent({ type: 'evidence', probeId: 'p-9', file: 'src/validation.ts', line: 12, observations: 2, latest, anomalies: [anomaly] });
        onEvent({ type: 'finished', status: 'confirmed', culprit: 'abcdef0123', reportMarkdown: '# Root cause analysis: why' });
        return { result: { status: 'confirmed', culprit: { sha: 'abcdef0123', subject: 'Pass the formatted notional' } }, report: '' } as unknown as Investigation;
      },
    });
    assert.deepEqual(meta, { status: 'confirmed', culprit: 'abcdef0123' });
    assert.deepEqual(buttons.slice(0, 2).map((b) => [b.command, b.args]), [['runtruth.approveProposal', ['p-9']], ['runtruth.rejectProposal', ['p-9']]]);
    const text = lines.join('');
    assert.match(text, /Proposed probe p-9\*\* at `src\/validation\.ts:12`.*captures `a`, `b`/);
    assert.equal(text.match(/type-mismatch/g)?.length, 1, 'an anomaly is reported once, not on every hit');
    assert.match(text, /# Root cause analysis: why[\s\S]*Culprit: commit `abcdef01`/);
  });
});
