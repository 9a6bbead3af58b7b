import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import * as vscode from 'vscode';
import { fixture, openValidateJs, runtruth, signedIn, until } from './helpers';

/** validate.js line 13 is `return { ok: …, highValue, currency };`: amount, currency and highValue are set. */
const LINE = 13;

async function lensTitles(uri: vscode.Uri, line: number): Promise<string[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
  return lenses.filter((l) => l.range.start.line === line - 1 && l.command?.title).map((l) => l.command!.title);
}

async function hoverText(uri: vscode.Uri, line: number): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line - 1, 4));
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

describe('snapshots and metrics from the editor', function () {
  this.timeout(60_000);
  let editor: vscode.TextEditor;
  const placed: string[] = [];

  before(async () => {
    await signedIn();
    editor = await openValidateJs();
    // a snapshot's line holds every local: room to read them all (the default is 80 characters)
    await vscode.workspace.getConfiguration('runtruth').update('inline.maxLength', 400, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('runtruth').update('inline.maxLength', undefined, vscode.ConfigurationTarget.Global);
    for (const id of placed) await vscode.commands.executeCommand('runtruth.removeProbe', id);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('places a snapshot with the file’s content hash; it binds and captures the line’s locals and watches', async () => {
    const api = await signedIn();
    const uri = editor.document.uri;
    const probeId = await vscode.commands.executeCommand<string | undefined>('runtruth.addSnapshot', { uri, line: LINE, watches: 'typeof amount, currency', condition: '', limits: 'ttl 10m' });
    assert.ok(probeId, 'the snapshot was placed');
    placed.push(probeId);
    const probe = api.probes().find((p) => p.spec.id === probeId)!;
    assert.equal(probe.spec.kind, 'snapshot');
    assert.deepEqual(probe.spec.kind === 'snapshot' && probe.spec.watches, ['typeof amount', 'currency']);
    assert.equal(probe.spec.maxHits, 1, 'a snapshot takes one hit unless told otherwise');
    const onDisk = createHash('sha256').update(fs.readFileSync(fixture().validateJs, 'utf8')).digest('hex');
    assert.equal(probe.spec.contentHash, onDisk, 'the editor text’s sha256 goes with the probe');
    await until('the snapshot to bind', () => api.inspect.decorations(uri).some((d) => d.probeId === probeId && d.state === 'bound'));

    // a hit right after the probe binds can still be missed (a known agent race): traffic keeps coming, as it would
    for (let attempt = 1; api.evidence(probeId).length === 0; attempt++) {
      assert.ok(attempt <= 5, 'no snapshot after 5 requests');
      await fixture().order(15000, 'EUR');
      await until('a capture', () => api.evidence(probeId).length > 0, 3000).catch(() => undefined);
    }
    const drawn = await until('the snapshot values inline', () => api.inspect.decorations(uri).find((d) => d.probeId === probeId && d.inline?.includes('amount=15000')));
    assert.match(drawn.inline!, /typeof amount="number"/);
    assert.match(drawn.inline!, /currency="EUR"/);
    const [snapshot] = api.evidence(probeId);
    assert.ok(snapshot?.kind === 'snapshot');
    assert.equal(snapshot.frames[0]?.function, 'validate');
    assert.equal(snapshot.frames[0]?.line, LINE);
  });

  it('shows the hit count in a CodeLens and hover, both of which open the snapshot in the side panel', async () => {
    const api = await runtruth();
    const probeId = placed[0]!;
    const uri = editor.document.uri;
    const titles = await until('the CodeLens to count the hit', async () => {
      const t = await lensTitles(uri, LINE);
      return t.some((x) => x.includes('1 hit')) && t;
    });
    assert.ok(titles.some((t) => /^\$\(pulse\) Snapshot · 1 hit · .*open in panel$/.test(t)), titles.join(' | '));
    const hover = await hoverText(uri, LINE);
    assert.match(hover, /Open snapshot in panel\]\(command:runtruth\.openPanel\?/);
    assert.match(hover, new RegExp(encodeURIComponent(JSON.stringify([probeId])).replace(/[()[\]]/g, '\\$&')));

    await vscode.commands.executeCommand('runtruth.openPanel', probeId);
    const report = await until('the snapshot explorer to show the capture', () => {
      const r = api.inspect.panel();
      return r?.snapshot?.probeId === probeId && r.snapshot;
    }, 30_000);
    assert.ok(report.frames >= 2, 'the stack below validate() is listed');
    assert.ok(report.values.includes('amount=15000'), report.values.join(', '));
    assert.ok(report.values.includes('currency="EUR"'));
    assert.ok(report.values.includes('typeof amount="number"'));
  });

  it('places count and value metrics whose windows reach the panel as charts', async () => {
    const api = await signedIn();
    const uri = editor.document.uri;
    const count = await vscode.commands.executeCommand<string | undefined>('runtruth.addMetric', { uri, line: 12, metric: 'count', condition: '', limits: 'ttl 10m' });
    const value = await vscode.commands.executeCommand<string | undefined>('runtruth.addMetric', { uri, line: LINE, metric: 'value', expression: 'amount', condition: 'typeof amount === "number"', limits: 'ttl 10m' });
    assert.ok(count && value);
    placed.push(count, value);
    const spec = api.probes().find((p) => p.spec.id === value)!.spec;
    assert.deepEqual(spec.kind === 'metric' && [spec.metric, spec.expression, spec.condition], ['value', 'amount', 'typeof amount === "number"']);
    await until('both metrics to bind', () => [count, value].every((id) => api.inspect.decorations(uri).some((d) => d.probeId === id && d.state === 'bound')));
    for (const amount of [10, 20, 30]) await fixture().order(amount);
    // the three values may straddle a flush (windows follow the agent's 5 s clock, not the probe's arrival)
    const windows = await until('value windows with all three orders', () => {
      const seen = api.evidence(value).flatMap((e) => (e.kind === 'metric' && e.count > 0 ? [e] : []));
      return seen.reduce((n, w) => n + w.count, 0) >= 3 ? seen : undefined;
    }, 20_000);
    const [min, max] = [Math.min(...windows.map((w) => w.min!)), Math.max(...windows.map((w) => w.max!))];
    assert.ok(min === 10 && max === 30, JSON.stringify(windows));
    await until('a count window', () => api.evidence(count).some((e) => e.kind === 'metric' && e.count >= 3), 20_000);
    await vscode.commands.executeCommand('runtruth.openPanel');
    await until('the panel to chart both metrics', () => {
      const charts = api.inspect.panel()?.charts ?? [];
      return charts.includes(count) && charts.includes(value);
    });
  });

  it('refuses input the agent would refuse before anything reaches the relay', async () => {
    const api = await signedIn();
    const uri = editor.document.uri;
    const before = api.probes().length;
    const attempts: Record<string, unknown>[] = [
      { command: 'runtruth.addSnapshot', watches: 'amount, total = 0', condition: '', limits: 'ttl 1m' },
      { command: 'runtruth.addSnapshot', watches: '', condition: 'amount++', limits: 'ttl 1m' },
      { command: 'runtruth.addSnapshot', watches: '', condition: '', limits: 'ttl forever' },
      { command: 'runtruth.addMetric', metric: 'value', expression: 'save()', condition: '', limits: 'ttl 1m' },
      { command: 'runtruth.addMetric', metric: 'duration', endLine: LINE - 1, condition: '', limits: 'ttl 1m' },
      { command: 'runtruth.addMetric', metric: 'count', condition: '', limits: 'ttl 30d' },
    ];
    for (const { command, ...args } of attempts) {
      const result = await vscode.commands.executeCommand(command as string, { uri, line: LINE, ...args });
      assert.equal(result, undefined, `${command} ${JSON.stringify(args)} was refused`);
    }
    assert.equal(api.probes().length, before, 'nothing was placed');
  });

  it('shows a version mismatch instead of binding when the editor’s file differs from the deployed one', async () => {
    const api = await signedIn();
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '// an unsaved edit: the running service has the old text\n'));
    const probeId = await vscode.commands.executeCommand<string | undefined>('runtruth.addSnapshot', { uri: editor.document.uri, line: LINE + 1, watches: '', condition: '', limits: 'ttl 10m' });
    assert.ok(probeId);
    placed.push(probeId);
    const drawn = await until('the mismatch to show on the line', () => api.inspect.decorations(editor.document.uri).find((d) => d.probeId === probeId && d.state === 'error'));
    assert.equal(drawn.line, LINE, 'drawn on the line the user chose');
    assert.match(drawn.inline ?? '', /differs from the file in the editor/);
    const status = api.probes().find((p) => p.spec.id === probeId)!.statuses[0]!;
    assert.equal(status.code, 'version_mismatch');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
