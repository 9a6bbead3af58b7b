import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { runtruth } from './helpers';

describe('activation and contributions', () => {
  it('activates and registers every command the manifest contributes', async () => {
    const api = await runtruth();
    assert.equal(api.apiVersion, 1);
    const manifest = vscode.extensions.getExtension('runtruth.runtruth')!.packageJSON as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], 'contributed commands without a registration');
    for (const id of ['runtruth.panel.focus', 'runtruth.services.focus']) assert.ok(registered.has(id), `${id} (views are contributed)`);
  });

  it('runs as a workspace extension in the remote extension host', () => {
    const ext = vscode.extensions.getExtension('runtruth.runtruth')!;
    assert.equal(ext.extensionKind, vscode.ExtensionKind.Workspace);
    assert.deepEqual((ext.packageJSON as { extensionKind: string[] }).extensionKind, ['workspace']);
  });
});
