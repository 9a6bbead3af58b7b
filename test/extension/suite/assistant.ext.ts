import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { QUESTION, startTradingStage, type TradingStage } from '../../../backend/cli/demo/tradingStage';
import type { InvestigateOutcome } from '../../../extension/src/assistant/register';
import type { InvestigationView } from '../../../webview/views/investigationProtocol';
import { fixture, runtruth, until } from './helpers';

const TOOLS = ['runtruth_list_services', 'runtruth_propose_probe', 'runtruth_get_evidence', 'runtruth_investigate'];
const view = async () => (await vscode.commands.executeCommand<InvestigationView>('runtruth.investigationView'))!;
const toolText = (result: vscode.LanguageModelToolResult) => result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');

/**
 * The AI SRE inside the real extension host, against the trading incident (its own relay, the compiled service
 * with the agent, a real git history, live traffic): the built-in investigator run by `runtruth.investigate`
 * with a person approving through `runtruth.approveProposal`, the report saved, and the Language Model Tools
 * invoked through vscode.lm.invokeTool as Copilot's agent mode would.
 */
describe('AI SRE assistant in the extension host (trading incident)', function () {
  this.timeout(240_000);
  let stage: TradingStage;

  before(async function () {
    this.timeout(120_000);
    const runDir = process.env.RUNTRUTH_TEST_RUN_DIR!;
    stage = await startTradingStage({ port: 0, work: path.join(runDir, 'assistant-demo'), print: () => undefined });
    await vscode.workspace.getConfiguration('runtruth').update('relay', stage.relayUrl, vscode.ConfigurationTarget.Global);
    assert.equal(await vscode.commands.executeCommand('runtruth.signIn', stage.token), true);
    const api = await runtruth();
    await until('connected to the trading relay', () => api.connectionState().status === 'connected' && api.connectionState().relay === stage.relayUrl, 20_000);
  });

  after(async function () {
    this.timeout(30_000);
    await vscode.workspace.getConfiguration('runtruth').update('relay', fixture().relayUrl, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('runtruth.signIn', fixture().adminToken);
    await stage?.stop();
  });

  it('registers its Language Model Tools; list_services answers through vscode.lm.invokeTool', async () => {
    const names = vscode.lm.tools.map((t) => t.name);
    for (const t of TOOLS) assert.ok(names.includes(t), `${t} in ${names.join(', ')}`);
    const text = toolText(await vscode.lm.invokeTool('runtruth_list_services', { input: {}, toolInvocationToken: undefined }));
    // the deployment history: last week's instance (gone) and today's, each with its commit
    assert.match(text, new RegExp(`^- trading \\(1/2 live\\)`));
    assert.match(text, new RegExp(`: disconnected, pid \\d+, started [^,]+, commit ${stage.history.commits[stage.history.commits.length - 4]!.sha.slice(0, 8)}`));
    assert.match(text, new RegExp(`: connected, pid \\d+, started [^,]+, commit ${stage.history.deployed.slice(0, 8)}`));
  });

  it('proposes a probe through a tool: a proposal waiting for a person, never a live probe', async () => {
    const text = toolText(await vscode.lm.invokeTool('runtruth_propose_probe', { input: { service: 'trading', file: 'src/validation.ts', line: 3, template: 'x={typeof order}', reason: 'tool test' }, toolInvocationToken: undefined }));
    const probeId = /Probe (\S+) at/.exec(text)?.[1];
    assert.ok(probeId, text);
    try {
      const { probes } = await stage.client.request('probe.list', { service: 'trading' });
      assert.equal(probes.find((p) => p.probe.id === probeId)?.state, 'proposed');
      const bad = toolText(await vscode.lm.invokeTool('runtruth_propose_probe', { input: { service: 'trading', file: 'src/validation.ts', line: 3, template: 'x={order.notional = 1}', reason: 'writes' }, toolInvocationToken: undefined }));
      assert.match(bad, /read-only|assign/i, 'a state-changing expression is refused with a reason');
    } finally {
      await stage.client.request('probe.remove', { probeId });
    }
  });

  it('investigates from runtruth.investigate with a person approving each proposal: the culprit commit ranks first', async () => {
    let approving = true;
    const approved: string[] = [];
    const approver = (async () => {
      while (approving) {
        for (const p of (await view()).proposals.filter((x) => x.state === 'proposed' && x.risk.low)) {
          if (await vscode.commands.executeCommand('runtruth.approveProposal', p.probeId)) approved.push(p.probeId);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    let outcome: InvestigateOutcome | undefined;
    try {
      outcome = await vscode.commands.executeCommand<InvestigateOutcome>('runtruth.investigate', { question: QUESTION, service: 'trading', repo: stage.repo, investigator: 'builtin', maxMinutes: 3 });
    } finally {
      approving = false;
      await approver;
    }
    assert.ok(outcome, 'the investigation concluded');
    assert.equal(outcome.status, 'confirmed');
    assert.equal(outcome.culprit, stage.history.culprit.sha);
    assert.match(outcome.report, /"[\d,]+\.00" \(string\) vs HIGH_VALUE_THRESHOLD = 10000 \(number\)/);
    assert.ok(approved.length >= 1, 'a person approved the probes');

    const shown = await view();
    assert.equal(shown.status, 'confirmed');
    assert.equal(shown.hypotheses[0]!.commit, stage.history.culprit.sha.slice(0, 8));
    assert.ok(shown.hypotheses[0]!.factors.some((f) => f.part === 'evidence' && f.points > 0), 'the breakdown shows the evidence that confirmed it');
    assert.ok(shown.proposals.every((p) => p.state !== 'proposed' || !approved.includes(p.probeId)));
    for (const id of approved) assert.equal(shown.proposals.find((p) => p.probeId === id)?.decidedBy !== undefined, true, `${id} records who decided`);
    assert.equal(shown.report, outcome.report);
  });

  it('lists an alert from the relay webhook under Incidents, and investigates it with the alert as context', async () => {
    // the alerting system posts to the relay (generic JSON); the view learns of it by the relay's push
    const http = stage.relayUrl.replace(/^ws/, 'http');
    const title = 'High-value trades are no longer sent to fraud review since the last deploy';
    const posted = await fetch(`${http}/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stage.token}` },
      body: JSON.stringify({ title, service: 'trading', severity: 'critical', startsAt: new Date(Date.now() - 60_000).toISOString() }),
    });
    assert.equal(posted.status, 202, await posted.clone().text());
    const items = await until('the incident in the Incidents view', async () => {
      const listed = (await vscode.commands.executeCommand<{ id: string; label: string; description: string }[]>('runtruth.incidentItems')) ?? [];
      return listed.find((i) => i.label === title) ? listed : undefined;
    }, 10_000);
    const item = items.find((i) => i.label === title)!;
    assert.match(item.description, /^trading · critical · since /);

    let approving = true;
    const approver = (async () => {
      while (approving) {
        for (const p of (await view()).proposals.filter((x) => x.state === 'proposed' && x.risk.low)) await vscode.commands.executeCommand('runtruth.approveProposal', p.probeId);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    let outcome: InvestigateOutcome | undefined;
    try {
      outcome = await vscode.commands.executeCommand<InvestigateOutcome>('runtruth.investigateIncident', item.id, { repo: stage.repo, investigator: 'builtin', maxMinutes: 3 });
    } finally {
      approving = false;
      await approver;
    }
    assert.ok(outcome, 'the investigation concluded');
    assert.equal((await view()).question, `${title}?`, 'the question is the alert\'s own words');
    assert.equal(outcome.status, 'confirmed');
    assert.equal(outcome.culprit, stage.history.culprit.sha);
    assert.ok(outcome.report.includes(`incident ${item.id} began`), 'the report\'s timeline starts at the alert');
  });

  it('saves the report as Markdown', async () => {
    const target = vscode.Uri.file(path.join(process.env.RUNTRUTH_TEST_RUN_DIR!, 'rca.md'));
    const saved = await vscode.commands.executeCommand<vscode.Uri>('runtruth.saveInvestigationReport', target);
    assert.equal(saved?.fsPath, target.fsPath);
    assert.equal(fs.readFileSync(target.fsPath, 'utf8'), (await view()).report);
    assert.ok((await view()).savedTo);
  });

  it('refuses a decision on a proposal that was already decided (nothing changes on the relay)', async () => {
    const decided = (await view()).proposals.find((p) => p.state !== 'proposed');
    assert.ok(decided, 'the investigation left decided proposals');
    const before = (await stage.client.request('probe.list', { service: 'trading' })).probes.find((p) => p.probe.id === decided.probeId)?.state;
    assert.equal(await vscode.commands.executeCommand<boolean>('runtruth.rejectProposal', decided.probeId), false);
    const after = (await stage.client.request('probe.list', { service: 'trading' })).probes.find((p) => p.probe.id === decided.probeId)?.state;
    assert.equal(after, before);
  });
});
