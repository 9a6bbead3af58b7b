import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { GitSource } from '../../../extension/src/assistant/gitApi';
import { runtruth, until } from './helpers';

/** The parts of the git extension's API (version 1) the test reads, to compare with what Runtruth resolved. */
interface GitApi {
  readonly git: { readonly path: string };
  getRepository(uri: vscode.Uri): { rootUri: vscode.Uri; state: { HEAD?: { name?: string; commit?: string } } } | null;
  openRepository(root: vscode.Uri): Promise<unknown>;
}

const gitSource = async (dir?: string) => (await vscode.commands.executeCommand<GitSource>('runtruth.gitSource', ...(dir ? [dir] : [])))!;

/**
 * History is read with the git VS Code uses, in the real extension host. The harness starts VS Code with the git
 * extension disabled (`git.enabled: false`): Runtruth then uses git on PATH. Enabled with the `git.path` setting
 * naming a wrapper script (which records each call and runs the real git), the extension's git is that script and
 * the assistant's git layer runs it; the workspace folder's repository root and HEAD are the extension's (a
 * repository it has not opened is still answered, by git).
 */
describe("assistant git from VS Code's git extension", function () {
  this.timeout(60_000);
  let extension: { enabled: boolean; getAPI(v: 1): GitApi };
  let api: GitApi;
  let workspace: string;
  let wrapper: string;
  let calls: string;
  const recorded = () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean) : []);
  const git = (cwd: string, ...args: string[]) => execFileSync(api?.git.path ?? 'git', ['-c', 'user.name=Runtruth Test', '-c', 'user.email=test@runtruth.invalid', ...args], { cwd, encoding: 'utf8' }).trim();
  const gitSettings = () => vscode.workspace.getConfiguration('git');

  before(async () => {
    const ext = vscode.extensions.getExtension<typeof extension>('vscode.git');
    assert.ok(ext, 'VS Code ships the git extension');
    extension = ext.isActive ? ext.exports : await ext.activate();
    await runtruth();
    const tools = path.join(process.env.RUNTRUTH_TEST_RUN_DIR!, 'git-wrapper');
    fs.mkdirSync(tools, { recursive: true });
    calls = path.join(tools, 'calls.log');
    wrapper = path.join(tools, 'git-for-vscode');
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    fs.writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\t%s\\n' "$PWD" "$*" >> '${calls}'\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
    workspace = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    assert.equal(workspace, process.env.RUNTRUTH_TEST_WORKSPACE);
    // the workspace becomes a repository of its own before the git extension looks at it
    git(workspace, 'init', '--quiet', '--initial-branch=trunk');
    git(workspace, 'add', '-A');
    git(workspace, 'commit', '--quiet', '-m', 'The checkout service');
  });

  after(async () => {
    await gitSettings().update('enabled', false, vscode.ConfigurationTarget.Global);
    await gitSettings().update('path', undefined, vscode.ConfigurationTarget.Global);
  });

  it('uses git on PATH while the git extension is disabled', async () => {
    assert.equal(gitSettings().get('enabled'), false);
    assert.equal(extension.enabled, false);
    const source = await gitSource();
    assert.equal(source.from, 'PATH');
    assert.equal(source.executable, 'git');
    assert.deepEqual(source.repository, { dir: workspace, root: workspace, head: 'trunk', knownToEditor: false });
  });

  it('runs the git executable VS Code is configured with once the git extension is enabled (the git.path setting)', async () => {
    await gitSettings().update('path', wrapper, vscode.ConfigurationTarget.Global);
    await gitSettings().update('enabled', true, vscode.ConfigurationTarget.Global);
    await until('the git extension to find git', () => extension.enabled, 20_000);
    api = extension.getAPI(1);
    assert.equal(api.git.path, wrapper, "the git extension's git is the configured one");
    const source = await gitSource();
    assert.equal(source.from, 'vscode.git');
    assert.equal(source.executable, api.git.path);
  });

  it("takes the workspace folder's repository root and HEAD from the git extension", async () => {
    // what a person does with "Git: Open Repository" (the extension also finds it by itself)
    await api.openRepository(vscode.Uri.file(workspace));
    const repo = await until('the git extension to open the workspace repository with its HEAD', () => {
      const r = api.getRepository(vscode.Uri.file(workspace));
      return r?.state.HEAD?.commit ? r : undefined;
    });
    assert.equal(repo.state.HEAD!.commit, git(workspace, 'rev-parse', 'HEAD'));

    const source = await gitSource(path.join(workspace, 'src'));
    assert.deepEqual(source.repository, { dir: path.join(workspace, 'src'), root: repo.rootUri.fsPath, head: repo.state.HEAD!.name, knownToEditor: true });
    assert.equal(source.repository!.root, workspace);
    assert.equal(source.repository!.head, 'trunk');

    // a repository nested in the workspace one is its own, whether or not the extension has opened it yet
    const nested = path.join(workspace, 'vendor', 'lib');
    fs.mkdirSync(nested, { recursive: true });
    fs.writeFileSync(path.join(nested, 'index.js'), 'module.exports = 2;\n');
    git(nested, 'init', '--quiet', '--initial-branch=vendored');
    git(nested, 'add', '-A');
    git(nested, 'commit', '--quiet', '-m', 'vendored');
    const inner = await gitSource(nested);
    assert.equal(inner.repository!.root, nested);
    assert.equal(inner.repository!.head, 'vendored');
  });

  it('asks git for a repository the git extension has not opened', async () => {
    const elsewhere = path.join(process.env.RUNTRUTH_TEST_RUN_DIR!, 'git-api-elsewhere');
    fs.mkdirSync(path.join(elsewhere, 'lib'), { recursive: true });
    fs.writeFileSync(path.join(elsewhere, 'lib', 'x.js'), 'module.exports = 1;\n');
    git(elsewhere, 'init', '--quiet', '--initial-branch=side');
    git(elsewhere, 'add', '-A');
    git(elsewhere, 'commit', '--quiet', '-m', 'x');
    git(elsewhere, 'checkout', '--quiet', '--detach');
    assert.equal(api.getRepository(vscode.Uri.file(elsewhere)), null, 'not open in the editor');
    const source = await gitSource(path.join(elsewhere, 'lib'));
    assert.deepEqual(source.repository, { dir: path.join(elsewhere, 'lib'), root: git(elsewhere, 'rev-parse', '--show-toplevel'), head: git(elsewhere, 'rev-parse', 'HEAD'), knownToEditor: false });
    // git answered through the editor's git: the wrapper saw Runtruth's command, run in the folder asked about
    assert.ok(recorded().includes(`${path.join(elsewhere, 'lib')}\t-c core.quotepath=off -c color.ui=never rev-parse --show-toplevel`), recorded().join('\n'));
  });
});
