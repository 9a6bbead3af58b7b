import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { InvestigationView } from '../../../webview/views/investigationProtocol';
import { runtruth } from './helpers';

const KEY = 'sk-ant-test-3e8c51f0a9';
const SPEC = 'anthropic:claude-sonnet-4-5';
type Choice = { engine: string; name?: string; error?: string };
const choice = async () => (await vscode.commands.executeCommand<Choice>('runtruth.modelChoice'))!;
const setModel = (value: string | undefined) => vscode.workspace.getConfiguration('runtruth').update('assistant.model', value, vscode.ConfigurationTarget.Global);

/** Every place a setting could have landed: the resolved runtruth.* values and the settings files on disk. */
function settingsText(): string {
  const config = vscode.workspace.getConfiguration('runtruth');
  const files = [path.join(process.env.RUNTRUTH_TEST_USER_DATA_DIR!, 'User', 'settings.json'), ...(vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, '.vscode', 'settings.json'))];
  return JSON.stringify(config) + files.filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

/**
 * Models other than VS Code's own in the real extension host: the key goes through `runtruth.setModelKey` into
 * the extension's SecretStorage (never settings), the engine choice reads it back from there, and a setting
 * that names no usable model stops an investigation before it starts.
 */
describe('model API keys in SecretStorage (runtruth.assistant.model)', function () {
  before(async function () {
    await runtruth();
    // the choice also honours keys in the environment VS Code started in; with one set, "no key" cannot be observed
    if (process.env.ANTHROPIC_API_KEY || process.env.RUNTRUTH_MODEL_KEY) this.skip();
  });

  after(async () => {
    await vscode.commands.executeCommand('runtruth.clearModelKey', { provider: 'anthropic' });
    await setModel(undefined);
  });

  it('stores the key per provider in SecretStorage (never in settings), the choice uses it, and Clear removes it', async () => {
    await setModel(SPEC);
    assert.match((await choice()).error ?? '', /^No API key for anthropic .*Runtruth: Set Model API Key…/);

    assert.equal(await vscode.commands.executeCommand('runtruth.setModelKey', { provider: 'anthropic', key: ` ${KEY} ` }), true);
    assert.deepEqual(await choice(), { engine: 'model', name: SPEC }, 'the stored key is read back from SecretStorage');
    assert.ok(!settingsText().includes(KEY), 'the key is in no setting');
    assert.ok(!settingsText().includes('sk-ant-'), 'not even part of it');

    await setModel('openai:gpt-4o');
    if (!process.env.OPENAI_API_KEY) assert.match((await choice()).error ?? '', /^No API key for openai/, 'the anthropic key does not unlock openai');
    await setModel(SPEC);

    assert.equal(await vscode.commands.executeCommand('runtruth.clearModelKey', { provider: 'anthropic' }), true);
    assert.match((await choice()).error ?? '', /^No API key for anthropic/);
    assert.equal(await vscode.commands.executeCommand('runtruth.clearModelKey', { provider: 'anthropic' }), false, 'nothing left to clear');
  });

  it('refuses bad arguments without storing anything', async () => {
    await setModel(SPEC);
    assert.equal(await vscode.commands.executeCommand('runtruth.setModelKey', { provider: 'mistral', key: KEY }), false);
    assert.equal(await vscode.commands.executeCommand('runtruth.setModelKey', { provider: 'anthropic', key: 'two words' }), false);
    assert.equal(await vscode.commands.executeCommand('runtruth.setModelKey', { provider: 'anthropic', key: '   ' }), false);
    assert.match((await choice()).error ?? '', /^No API key for anthropic/);
  });

  it('an unusable setting stops runtruth.investigate before anything starts; empty falls back as before', async () => {
    await setModel('gpt-4o');
    assert.match((await choice()).error ?? '', /runtruth\.assistant\.model is not usable: unknown model provider in 'gpt-4o'/);
    const question = `model key test ${Date.now()}`;
    const repo = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    assert.equal(await vscode.commands.executeCommand('runtruth.investigate', { question, repo, investigator: 'auto' }), undefined);
    const view = await vscode.commands.executeCommand<InvestigationView>('runtruth.investigationView');
    assert.notEqual(view?.question, question, 'no investigation of that question started');

    await setModel(undefined);
    // no chat model extension is installed in the test VS Code: the built-in investigator, as before the setting existed
    assert.deepEqual(await choice(), { engine: 'builtin', name: 'builtin' });
  });
});
