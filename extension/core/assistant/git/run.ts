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

/**
 * Runs `git <args>` in `repo` without a shell (arguments are never interpreted), with a fixed locale and no
 * prompts, and resolves with stdout. Quoted paths are off so file names come back as written.
 */
export function runGit(repo: string, args: readonly string[]): Promise<string> {
  const full = ['-c', 'core.quotepath=off', '-c', 'color.ui=never', ...args];
  return new Promise((resolve, reject) => {
    execFile(
      'git',
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
            missing ? 'git is not installed (or not on PATH)' : `git ${args.slice(0, 2).join(' ')} failed in ${repo}: ${said || error.message}`,
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

/** The repository's top-level directory, or a GitError saying `dir` is not inside a git work tree. */
export async function repoRoot(dir: string): Promise<string> {
  return (await runGit(dir, ['rev-parse', '--show-toplevel'])).trim();
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
