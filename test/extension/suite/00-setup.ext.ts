import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import { startRuntimeFixture } from '../support/runtimeFixture';
import { shared } from './helpers';

// Root hooks: one relay and one agent-instrumented service for the whole extension-host run.
before(async function () {
  this.timeout(90_000);
  const runDir = process.env.RUNTRUTH_TEST_RUN_DIR;
  const workspace = process.env.RUNTRUTH_TEST_WORKSPACE;
  assert.ok(runDir && workspace, 'the harness passes RUNTRUTH_TEST_RUN_DIR and RUNTRUTH_TEST_WORKSPACE');
  assert.equal(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, workspace, 'VS Code opened the test workspace');
  shared.fixture = await startRuntimeFixture(path.join(runDir, 'runtime'), { workspace });
  await vscode.workspace.getConfiguration('runtruth').update('relay', shared.fixture.relayUrl, vscode.ConfigurationTarget.Global);
});

after(async function () {
  this.timeout(20_000);
  await shared.fixture?.stop();
});
