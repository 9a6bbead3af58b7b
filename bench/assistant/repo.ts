import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** One change to one file: a whole new content, or an exact `find` → `replace` (which must match once). */
export type FileEdit = { file: string; content: string } | { file: string; find: string; replace: string } | { file: string; remove: true };

export interface CommitSpec {
  subject: string;
  author: string;
  /** How long before "now" it was committed (the history is dated relative to the run). */
  hoursAgo: number;
  edits: FileEdit[];
  /** The one commit that causes the scenario's incident. */
  culprit?: boolean;
}

export interface BuiltRepo {
  dir: string;
  /** The commit deployed before the window (the base). */
  previous: string;
  /** HEAD: what is deployed now. */
  deployed: string;
  culprit: string;
  /** Window commits, oldest first (the specs are applied in time order, whatever their list order). */
  commits: { sha: string; subject: string; culprit: boolean; committedAt: string }[];
}

function git(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir } });
}

function apply(dir: string, edit: FileEdit): void {
  const file = path.join(dir, edit.file);
  if ('remove' in edit) return fs.rmSync(file);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if ('content' in edit) return fs.writeFileSync(file, edit.content);
  const text = fs.readFileSync(file, 'utf8');
  const at = text.indexOf(edit.find);
  if (at < 0 || text.indexOf(edit.find, at + 1) >= 0) throw new Error(`scenario edit of ${edit.file}: "${edit.find.slice(0, 60)}" must match exactly once`);
  fs.writeFileSync(file, text.slice(0, at) + edit.replace + text.slice(at + edit.find.length));
}

function commit(dir: string, subject: string, author: string, at: Date): string {
  const email = `${author.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com`;
  const date = at.toISOString();
  git(dir, ['add', '-A']);
  git(dir, ['-c', `user.name=${author}`, '-c', `user.email=${email}`, 'commit', '-q', '--no-verify', '-m', subject], {
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  });
  return git(dir, ['rev-parse', 'HEAD']).trim();
}

/**
 * Creates a real git repository in `dir`: the base files as the previously deployed commit, then each
 * window commit in order, dated `hoursAgo` before `now`.
 */
export function buildRepo(dir: string, base: Record<string, string>, commits: readonly CommitSpec[], opts: { baseHoursAgo: number; now?: Date }): BuiltRepo {
  const now = opts.now ?? new Date();
  const at = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
  fs.mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  for (const [file, content] of Object.entries(base)) apply(dir, { file, content });
  const previous = commit(dir, 'Initial import of the service', 'Dana Ops', at(opts.baseHoursAgo));
  const built: BuiltRepo['commits'] = [];
  // history is written in time order (stable for equal times), so dates never go backwards along the chain
  for (const c of [...commits].sort((a, b) => b.hoursAgo - a.hoursAgo)) {
    for (const e of c.edits) apply(dir, e);
    const sha = commit(dir, c.subject, c.author, at(c.hoursAgo));
    built.push({ sha, subject: c.subject, culprit: !!c.culprit, committedAt: at(c.hoursAgo).toISOString() });
  }
  const culprits = built.filter((c) => c.culprit);
  if (culprits.length !== 1) throw new Error(`a scenario needs exactly one culprit commit, got ${culprits.length}`);
  return { dir, previous, deployed: built[built.length - 1]!.sha, culprit: culprits[0]!.sha, commits: built };
}

/** Checks out `rev` into a separate work tree (to run the previously deployed version). */
export function worktree(repo: string, rev: string, dir: string): string {
  git(repo, ['worktree', 'add', '-q', '--detach', dir, rev]);
  return dir;
}
