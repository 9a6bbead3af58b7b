import { execFile } from 'node:child_process';

/** A git command failed (or git is missing): the command, its exit code and what git said. */
export class GitError extends Error {
  constructor(
    message: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GitError';
  }
}

/** Large diffs and blames of big files stay well under this; anything bigger is a mistake we report. */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** A repository as the host already knows it (in the editor: VS Code's git extension). */
export interface KnownRepository {
  /** The repository's top-level directory. */
  root: string;
  /** The checked-out branch; undefined when HEAD is detached (or not known yet). */
  branch?: string;
  /** HEAD's commit, when known. */
  commit?: string;
}

/** Where git comes from. Outside the editor nothing is configured: `git` on PATH, repositories asked of git. */
export interface GitHost {
  /** The git executable, or how to find it (asked before each command, so it can be found lazily). */
  executable?: string | (() => Promise<string>);
  /** The repository containing `dir` when the host knows it; undefined: git is asked. */
  repository?: (dir: string) => Promise<KnownRepository | undefined>;
}

// One per process: the editor configures it once at activation (the core's callers only pass repo paths around).
let host: GitHost = {};

/** Makes the git layer use `next` (e.g. VS Code's configured git); returns a function that restores the previous host. */
export function configureGit(next: GitHost): () => void {
  const previous = host;
  host = next;
  return () => {
    if (host === next) host = previous;
  };
}

/** The git executable commands run with (the configured one, else `git` on PATH). */
export async function gitExecutable(): Promise<string> {
  const configured = host.executable;
  return (typeof configured === 'function' ? await configured() : configured) || 'git';
}

/** What the host knows about the repository containing `dir`; undefined when it does not know (or fails). */
export async function knownRepository(dir: string): Promise<KnownRepository | undefined> {
  return host.repository ? host.repository(dir).catch(() => undefined) : undefined;
}

/**
 * Runs `git <args>` in `repo` without a shell (arguments are never interpreted), with a fixed locale and no
 * prompts, and resolves with stdout. Quoted paths are off so file names come back as written.
 */
export async function runGit(repo: string, args: readonly string[]): Promise<string> {
  const full = ['-c', 'core.quotepath=off', '-c', 'color.ui=never', ...args];
  const executable = await gitExecutable().catch((e: unknown) => {
    throw new GitError(`cannot find git: ${e instanceof Error ? e.message : String(e)}`, args, null, '', { cause: e });
  });
  return new Promise((resolve, reject) => {
    execFile(
      executable,
      full,
      {
        cwd: repo,
        maxBuffer: MAX_OUTPUT_BYTES,
        encoding: 'utf8',
        env: { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', GIT_OPTIONAL_LOCKS: '0' },
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const code = typeof (error as NodeJS.ErrnoException).code === 'number' ? ((error as unknown as { code: number }).code) : null;
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        const said = String(stderr).trim().split('\n').slice(-3).join(' ');
        reject(
          new GitError(
            missing ? (executable === 'git' ? 'git is not installed (or not on PATH)' : `git was not found at ${executable}`) : `git ${args.slice(0, 2).join(' ')} failed in ${repo}: ${said || error.message}`,
            args,
            code,
            String(stderr),
            { cause: error },
          ),
        );
      },
    );
  });
}

/** The repository's top-level directory (the host's answer when it knows), or a GitError saying `dir` is not in a work tree. */
export async function repoRoot(dir: string): Promise<string> {
  return (await knownRepository(dir))?.root ?? (await runGit(dir, ['rev-parse', '--show-toplevel'])).trim();
}

/** What is checked out in `repo`: the branch name, else HEAD's commit (detached), as the host knows it or git says. */
export async function checkedOut(repo: string): Promise<string> {
  const known = await knownRepository(repo);
  if (known?.branch || known?.commit) return known.branch ?? known.commit!;
  const branch = (await runGit(repo, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
  return branch && branch !== 'HEAD' ? branch : (await runGit(repo, ['rev-parse', 'HEAD'])).trim();
}

/** Full sha of a ref (`HEAD`, a branch, a short sha); a GitError when it does not name a commit. */
export async function resolveCommit(repo: string, ref: string): Promise<string> {
  if (ref.startsWith('-')) throw new GitError(`'${ref}' is not a commit`, [ref], null, '');
  return (await runGit(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])).trim();
}

/** Whether `ancestor` is reachable from `descendant` (both resolvable). */
export async function isAncestor(repo: string, ancestor: string, descendant: string): Promise<boolean> {
  try {
    await runGit(repo, ['merge-base', '--is-ancestor', ancestor, descendant]);
    return true;
  } catch (e) {
    if (e instanceof GitError && e.exitCode === 1) return false;
    throw e;
  }
}
