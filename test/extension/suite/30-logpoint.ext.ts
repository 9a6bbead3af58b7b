import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { addLogpoint, fixture, openValidateJs, signedIn, until } from './helpers';

/** validate.js line 13 (1-based) is `return { ok: …, highValue, currency };`, after `highValue` is computed. */
const LINE = 13;
const TEMPLATE = 'amount={amount} ({typeof amount}) highValue={highValue}';

describe('logpoints in the editor: gutter, inline evidence, hover, edits', function () {
  this.timeout(60_000);
  let editor: vscode.TextEditor;
  let probeId: string;

  before(async () => {
    await signedIn();
    editor = await openValidateJs();
  });

  after(async () => {
    if (probeId) await vscode.commands.executeCommand('runtruth.removeProbe', probeId);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('places a logpoint that binds in the running service and shows a bound gutter icon on its line', async () => {
    const api = await signedIn();
    probeId = await addLogpoint(editor.document.uri, LINE, TEMPLATE);
    const probe = api.probes().find((p) => p.spec.id === probeId)!;
    assert.equal(probe.spec.file, 'src/validate.js', 'the path below the workspace root, which the agent matches as a suffix');
    assert.equal(probe.spec.line, LINE);
    assert.match(probe.placement!.contentHash, /^[0-9a-f]{64}$/, 'the file content hash is recorded with the probe');
    assert.equal(probe.spec.contentHash, probe.placement!.contentHash, 'and sent with it, so the agent can check the deployed file');
    const drawn = await until('a bound decoration', () => api.inspect.decorations(editor.document.uri).find((d) => d.probeId === probeId && d.state === 'bound'));
    assert.equal(drawn.line, LINE - 1);
  });

  it('shows the latest evidence after the line, truncated, with the hit count', async () => {
    const api = await signedIn();
    await fixture().order(15000);
    await fixture().order('15,000');
    const drawn = await until('inline evidence', () => api.inspect.decorations(editor.document.uri).find((d) => d.probeId === probeId && d.inline?.includes('(string)')));
    assert.match(drawn.inline!, /^▸ amount=15,000 \(string\) highValue=false · 2 hits$/);
    const evidence = api.evidence(probeId).map((e) => (e.kind === 'log' ? e.message : ''));
    assert.deepEqual(evidence, ['amount=15000 (number) highValue=true', 'amount=15,000 (string) highValue=false']);
  });

  it('hovers the line with the probe, its status per instance, the hit count and the evidence in full', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(LINE - 1, 4));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /Runtruth Logpoint/);
    assert.match(text, new RegExp(probeId));
    assert.match(text, /\*\*2 hits\*\*/);
    assert.match(text, /bound 1\/1/);
    assert.match(text, /amount=15,000 \(string\) highValue=false/);
    assert.match(text, /amount=15000 \(number\) highValue=true/);
    assert.match(text, /command:runtruth\.openPanel/);
    const elsewhere = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(LINE - 3, 4));
    assert.ok(!elsewhere.some((h) => h.contents.some((c) => (typeof c === 'string' ? c : c.value).includes('Runtruth'))), 'other lines have no probe hover');
  });

  it('keeps the decoration on its code while lines are inserted and deleted above it', async () => {
    const api = await signedIn();
    const at = () => api.inspect.decorations(editor.document.uri).find((d) => d.probeId === probeId)?.line;
    const codeLine = editor.document.lineAt(LINE - 1).text;

    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '// one\n// two\n// three\n'));
    await until('the decoration to move down 3 lines', () => at() === LINE - 1 + 3);
    assert.equal(editor.document.lineAt(at()!).text, codeLine);

    await editor.edit((e) => e.delete(new vscode.Range(1, 0, 3, 0))); // two of the inserted lines
    await until('the decoration to move up 2 lines', () => at() === LINE - 1 + 1);
    assert.equal(editor.document.lineAt(at()!).text, codeLine);

    await editor.edit((e) => e.insert(new vscode.Position(at()!, codeLine.length), ' // edited on the line itself'));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(at(), LINE, 'an edit on the line itself does not move it');

    await editor.edit((e) => e.insert(new vscode.Position(at()! + 2, 0), '\n\n')); // below: no effect
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(at(), LINE);

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(at()!, 2));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /This file changed since the probe was placed/, 'the hover warns that the code may no longer match');

    await vscode.commands.executeCommand('workbench.action.files.revert');
    await until('the decoration back on its original line after revert', () => at() === LINE - 1);
  });

  it('rejects a template the agent would refuse before anything reaches the relay', async () => {
    const api = await signedIn();
    const before = api.probes().length;
    const result = await vscode.commands.executeCommand('runtruth.addLogpoint', { uri: editor.document.uri, line: LINE, template: 'x={amount = 1}', condition: '', limits: 'ttl 1m' });
    assert.equal(result, undefined);
    assert.equal(api.probes().length, before);
  });

  it('removes the probe: decorations and hover go away', async () => {
    const api = await signedIn();
    assert.equal(await vscode.commands.executeCommand('runtruth.removeProbe', probeId), true);
    await until('no decoration for the removed probe', () => !api.inspect.decorations(editor.document.uri).some((d) => d.probeId === probeId));
    assert.ok(!api.probes().some((p) => p.spec.id === probeId));
    probeId = '';
  });
});
