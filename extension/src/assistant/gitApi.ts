import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { checkedOut, configureGit, gitExecutable, knownRepository, repoRoot, type KnownRepository } from '../../core/assistant/git/run';

// The few parts of the built-in git extension's API we use (extensions/git/src/api/git.d.ts, API version 1),
// declared here rather than taken as a dependency.
interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}
interface GitApi {
  readonly state: 'uninitialized' | 'initialized';
  readonly onDidChangeState: vscode.Event<'uninitialized' | 'initialized'>;
  readonly git: { readonly path: string };
  getRepository(uri: vscode.Uri): GitRepository | null;
}
interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly state: { readonly HEAD: { readonly name?: string; readonly commit?: string } | undefined; readonly onDidChange: vscode.Event<void> };
}

/** What `runtruth.gitSource` answers: where the assistant's git commands and repositories come from. */
export interface GitSource {
  executable: string;
  /** 'vscode.git': the git VS Code is configured with (`git.path`); 'PATH': the git extension is disabled or absent. */
  from: 'vscode.git' | 'PATH';
  repository?: { dir: string; root: string; head: string; knownToEditor: boolean };
}

/** How long to wait for the git extension's first repository scan (or a repository's first status) before asking git. */
const SETTLE_MS = 5_000;

/**
 * Reads history with the git VS Code uses: the executable from the built-in git extension (so the `git.path`
 * setting holds and git need not be on PATH), and the repository root and HEAD from its open repositories.
 * Nothing is resolved at activation: the git extension is asked on the first git command. When it is disabled
 * or absent, git on PATH is used (logged once).
 */
export class EditorGit {
  private extension: Promise<GitExtension | undefined> | undefined;
  private warned = false;

  constructor(private readonly log: (line: string) => void) {}

  async executable(): Promise<string> {
    return (await this.api())?.git.path || 'git';
  }

  async source(): Promise<GitSource['from']> {
    return (await this.api()) ? 'vscode.git' : 'PATH';
  }

  /** The open repository containing `dir`, as the git extension knows it; undefined when it has none open there. */
  async repository(dir: string): Promise<KnownRepository | undefined> {
    const api = await this.api();
    if (!api) return undefined;
    if (api.state !== 'initialized') await nextEvent(api.onDidChangeState, SETTLE_MS);
    const repo = api.getRepository(vscode.Uri.file(dir));
    // the extension answers with the innermost repository it has open: a nested one it has not opened is git's to find
    if (!repo || nestedRepositoryBetween(dir, repo.rootUri.fsPath)) return undefined;
    // a repository opened a moment ago has no HEAD until its first status run
    if (!repo.state.HEAD) await nextEvent(repo.state.onDidChange, SETTLE_MS);
    const head = repo.state.HEAD;
    return { root: repo.rootUri.fsPath, ...(head?.name ? { branch: head.name } : {}), ...(head?.commit ? { commit: head.commit } : {}) };
  }

  private async api(): Promise<GitApi | undefined> {
    const ext = vscode.extensions.getExtension<GitExtension>('vscode.git');
    this.extension ??= ext ? Promise.resolve(ext.isActive ? ext.exports : ext.activate()).catch(() => undefined) : Promise.resolve(undefined);
    const git = await this.extension;
    try {
      if (git?.enabled) return git.getAPI(1);
    } catch {
      // "Git model not found": disabled, or no git installation found
    }
    if (!this.warned) {
      this.warned = true;
      this.log("git: VS Code's git extension is disabled or absent; reading history with git on PATH");
    }
    return undefined;
  }
}

/**
 * Points the assistant's git layer at VS Code's git (lazily) and registers `runtruth.gitSource` (internal:
 * diagnostics and tests). Disposing restores git on PATH.
 */
export function useEditorGit(log: (line: string) => void): vscode.Disposable {
  const git = new EditorGit(log);
  const restore = configureGit({ executable: () => git.executable(), repository: (dir) => git.repository(dir) });
  const command = vscode.commands.registerCommand('runtruth.gitSource', (dir?: string) => gitSource(git, dir ?? workspaceFolderPath()));
  return { dispose: () => (restore(), command.dispose()) };
}

async function gitSource(git: EditorGit, dir: string | undefined): Promise<GitSource> {
  const [executable, from] = await Promise.all([gitExecutable(), git.source()]);
  if (!dir) return { executable, from };
  const root = await repoRoot(dir);
  return { executable, from, repository: { dir, root, head: await checkedOut(root), knownToEditor: (await knownRepository(dir)) !== undefined } };
}

function workspaceFolderPath(): string | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file' || f.uri.scheme === 'vscode-remote')?.uri.fsPath;
}

/** Whether a `.git` lies between `dir` (inclusive) and `root` (exclusive): `dir` then belongs to a nested repository. */
function nestedRepositoryBetween(dir: string, root: string): boolean {
  for (let at = path.resolve(dir); at !== root && at.startsWith(root + path.sep); at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, '.git'))) return true;
  }
  return false;
}

/** Resolves on the event's next firing or after `ms`, whichever comes first. */
function nextEvent<T>(event: vscode.Event<T>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      subscription.dispose();
      resolve();
    };
    const timer = setTimeout(done, ms);
    const subscription = event(done);
  });
}
