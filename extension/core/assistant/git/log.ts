import { runGit } from './run';

/** One commit as the investigation needs it (dates as ISO strings so results serialise and compare exactly). */
export interface CommitInfo {
  sha: string;
  parents: string[];
  author: string;
  email: string;
  authoredAt: string;
  committedAt: string;
  subject: string;
  body: string;
}

export interface CommitQuery {
  /** Commits reachable from `to` (default HEAD)… */
  to?: string;
  /** …but not from `from` (exclusive): "what was deployed since `from`". */
  from?: string;
  /** Committed at or after / before these instants. */
  since?: Date;
  until?: Date;
  /** Only commits touching these paths. */
  paths?: readonly string[];
  /** Newest first; at most this many (default 200). */
  max?: number;
}

const FIELD = '\x1f';
const FORMAT = ['%H', '%P', '%an', '%ae', '%aI', '%cI', '%s', '%b'].join('%x1f');

/** Commits newest first, by range and/or time window (`git log`, first-parent order not imposed). */
export async function listCommits(repo: string, query: CommitQuery = {}): Promise<CommitInfo[]> {
  const args = ['log', '-z', `--format=${FORMAT}`, `--max-count=${query.max ?? 200}`];
  if (query.since) args.push(`--since=${query.since.toISOString()}`);
  if (query.until) args.push(`--until=${query.until.toISOString()}`);
  args.push('--end-of-options', query.from ? `${query.from}..${query.to ?? 'HEAD'}` : query.to ?? 'HEAD');
  if (query.paths?.length) args.push('--', ...query.paths);
  return parseLog(await runGit(repo, args));
}

/** One commit's metadata. */
export async function commitInfo(repo: string, ref: string): Promise<CommitInfo> {
  const [commit] = parseLog(await runGit(repo, ['log', '-z', `--format=${FORMAT}`, '--max-count=1', '--end-of-options', ref]));
  if (!commit) throw new Error(`no commit '${ref}' in ${repo}`);
  return commit;
}

/** Parses `git log -z` output in FORMAT; exported for tests of odd subjects and bodies. */
export function parseLog(text: string): CommitInfo[] {
  const commits: CommitInfo[] = [];
  for (const record of text.split('\0')) {
    const trimmed = record.replace(/^\n+/, '');
    if (!trimmed) continue;
    const f = trimmed.split(FIELD);
    if (f.length < 8) continue;
    commits.push({
      sha: f[0]!,
      parents: f[1] ? f[1].split(' ') : [],
      author: f[2]!,
      email: f[3]!,
      authoredAt: new Date(f[4]!).toISOString(),
      committedAt: new Date(f[5]!).toISOString(),
      subject: f[6]!,
      body: f.slice(7).join(FIELD).trim(),
    });
  }
  return commits;
}
