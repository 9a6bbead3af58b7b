import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { fixture, runtruth, until } from './helpers';

describe('sign in: the token lives in SecretStorage, never in settings', () => {
  it('starts signed out (no token stored yet)', async () => {
    const api = await runtruth();
    await until('the extension to read the relay setting', () => api.connectionState().relay === fixture().relayUrl);
    assert.equal(api.connectionState().status, 'signedOut');
  });

  it('refuses a bad token: the connection fails with an unauthorized error and nothing is stored', async () => {
    const api = await runtruth();
    const ok = await vscode.commands.executeCommand('runtruth.signIn', 'rt_admin_not-a-real-token');
    assert.equal(ok, false);
    const state = api.connectionState();
    assert.equal(state.status, 'failed');
    assert.ok(state.status === 'failed' && state.error.code === 'unauthorized' && state.error.actions.includes('signIn'), JSON.stringify(state));
    assert.doesNotMatch(JSON.stringify(state), /not-a-real-token/, 'the token is never echoed');
  });

  it('signs in with the relay token and connects', async () => {
    const api = await runtruth();
    assert.equal(await vscode.commands.executeCommand('runtruth.signIn', fixture().adminToken), true);
    const state = api.connectionState();
    assert.ok(state.status === 'connected' && state.identity.role === 'admin', JSON.stringify(state));
    await until('services from the relay', () => api.services().some((s) => s.service === 'checkout' && s.instances.some((i) => i.connected)));
  });

  it('keeps the token out of every settings scope and the settings file', async () => {
    const token = fixture().adminToken;
    const inspected = JSON.stringify(vscode.workspace.getConfiguration('runtruth').inspect('relay')) + JSON.stringify(vscode.workspace.getConfiguration('runtruth'));
    assert.ok(!inspected.includes(token), 'no runtruth setting holds the token');
    const settingsFile = path.join(process.env.RUNTRUTH_TEST_USER_DATA_DIR!, 'User', 'settings.json');
    assert.ok(fs.existsSync(settingsFile), settingsFile);
    assert.ok(!fs.readFileSync(settingsFile, 'utf8').includes(token), 'settings.json does not contain the token');
  });

  it('stores the token per relay in SecretStorage: switching relays away and back reconnects without signing in', async () => {
    const api = await runtruth();
    const config = vscode.workspace.getConfiguration('runtruth');
    await config.update('relay', 'ws://127.0.0.1:9', vscode.ConfigurationTarget.Global);
    await until('signed out for a relay with no stored token', () => api.connectionState().status === 'signedOut' && api.connectionState().relay === 'ws://127.0.0.1:9');
    await config.update('relay', fixture().relayUrl, vscode.ConfigurationTarget.Global);
    // nothing in memory has the token any more: it can only come from SecretStorage
    await until('reconnected with the stored token', () => api.connectionState().status === 'connected');
  });

  it('signs out: forgets the token and disconnects', async () => {
    const api = await runtruth();
    await vscode.commands.executeCommand('runtruth.signOut');
    await until('signed out', () => api.connectionState().status === 'signedOut');
    assert.equal(api.services().length > 0, true, 'what was seen stays visible, marked offline by the status bar');
  });
});
