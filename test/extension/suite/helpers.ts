import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import type { RuntruthApi } from '../../../extension/src/api';
import type { RuntimeFixture } from '../support/runtimeFixture';

/** Shared by the *.ext.js files (one VS Code window, one runtime fixture, set up in 00-setup.ext.js). */
export const shared: { fixture?: RuntimeFixture } = {};

export function fixture(): RuntimeFixture {
  assert.ok(shared.fixture, 'the runtime fixture is started by 00-setup.ext.js');
  return shared.fixture;
}

export async function runtruth(): Promise<RuntruthApi> {
  const ext = vscode.extensions.getExtension<RuntruthApi>('runtruth.runtruth');
  assert.ok(ext, 'the extension under development is loaded');
  return ext.isActive ? ext.exports : ext.activate();
}

/** Polls `probe` until it returns something truthy; fails with `what` (and the last value) after `ms`. */
export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const value = await probe();
    if (value) return value;
    last = value;
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function signedIn(): Promise<RuntruthApi> {
  const api = await runtruth();
  if (api.connectionState().status !== 'connected') {
    assert.equal(await vscode.commands.executeCommand('runtruth.signIn', fixture().adminToken), true, 'sign-in succeeds');
  }
  return api;
}

export async function openValidateJs(): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(fixture().validateJs));
  return vscode.window.showTextDocument(document, { preview: false });
}

/** Places a logpoint through the real command (with its answers given, so no input box waits for a person). */
export async function addLogpoint(uri: vscode.Uri, line: number, template: string, extra: Record<string, unknown> = {}): Promise<string> {
  const probeId = await vscode.commands.executeCommand<string | undefined>('runtruth.addLogpoint', { uri, line, template, condition: '', limits: 'ttl 10m', ...extra });
  assert.ok(probeId, `the logpoint at line ${line} was placed`);
  // The agent injects the probe by recompiling the script, which takes a moment: traffic sent before it is
  // bound would (rightly) not be seen, so tests that send traffic next wait for the bound state here.
  const api = await runtruth();
  await until(`the logpoint at line ${line} to bind`, () => api.inspect.decorations(uri).some((d) => d.probeId === probeId && d.state === 'bound'));
  return probeId;
}

export const workspaceFile = (...parts: string[]) => path.join(fixture().workspace, ...parts);
