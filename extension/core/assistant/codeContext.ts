import { termsFromQuestion, type Term } from './code/keywords';
import { moduleGraph, requestPath } from './code/modules';
import { searchCode, type FileHit } from './code/search';
import { BlameCache, commitFacts, type CommitFacts } from './commitFacts';
import { RepoFiles } from './git/files';
import { listCommits, type CommitInfo } from './git/log';
import { isAncestor, repoRoot, resolveCommit } from './git/run';

/** What the code side of an investigation knows: the window of commits and where the question points. */
export interface CodeContext {
  repo: string;
  /** The deployed commit (what runs), full sha. */
  deployed: string;
  /** The previous deploy, when known: the window is previous..deployed. */
  previous?: string;
  /** How the window was chosen, for the report. */
  window: string;
  terms: Term[];
  searchHits: FileHit[];
  /** Files a request plausibly passes through, with their distance from the searched code. */
  path: Map<string, number>;
  commits: CommitInfo[];
  facts: Map<string, CommitFacts>;
  files: RepoFiles;
  blames: BlameCache;
  incidentAt?: Date;
}

export interface CodeContextOptions {
  repo: string;
  question: string;
  /** The deployed commit (from agent registrations); default HEAD. */
  deployed?: string;
  /** The commit deployed before it, when the relay saw one. */
  previous?: string;
  /** When the incident began (an alert), else the deploy time. */
  incidentAt?: Date;
  /** Without a previous deploy: commits this many days before the incident (default 14)… */
  windowDays?: number;
  /** …and at most this many (default 40). */
  maxCommits?: number;
}

export async function gatherCodeContext(opts: CodeContextOptions): Promise<CodeContext> {
  const repo = await repoRoot(opts.repo);
  const deployed = await resolveCommit(repo, opts.deployed ?? 'HEAD');
  let previous: string | undefined;
  if (opts.previous) {
    const sha = await resolveCommit(repo, opts.previous).catch(() => undefined);
    if (sha && sha !== deployed && (await isAncestor(repo, sha, deployed))) previous = sha;
  }
  const maxCommits = opts.maxCommits ?? 40;
  const windowDays = opts.windowDays ?? 14;
  const since = opts.incidentAt ? new Date(opts.incidentAt.getTime() - windowDays * 86_400_000) : undefined;
  const commits = previous
    ? await listCommits(repo, { from: previous, to: deployed, max: maxCommits })
    : await listCommits(repo, { to: deployed, max: maxCommits, ...(since ? { since } : {}) });
  const window = previous
    ? `${commits.length} commit(s) deployed since ${previous.slice(0, 8)} (the previous deploy) up to ${deployed.slice(0, 8)}`
    : `${commits.length} commit(s) up to ${deployed.slice(0, 8)}${since ? ` from the ${windowDays} days before the incident` : ''} (no previous deploy known)`;

  const files = new RepoFiles(repo, deployed);
  const terms = termsFromQuestion(opts.question);
  const searchHits = await searchCode(repo, terms, { rev: deployed });
  const graph = await moduleGraph(files);
  const seeds = topSeeds(searchHits);
  const path = requestPath(graph, seeds);
  const blames = new BlameCache(repo, deployed);
  const searchFiles = new Set(seeds);
  const best = searchHits[0]?.score ?? 1;
  const searchScores = new Map(searchHits.map((h) => [h.file, Math.round((h.score / best) * 1000) / 1000]));
  const facts = new Map<string, CommitFacts>();
  for (const commit of commits) {
    facts.set(commit.sha, await commitFacts({ repo, commit, files, blames, terms, searchFiles, searchScores, path, ...(opts.incidentAt ? { incidentAt: opts.incidentAt } : {}) }));
  }
  return { repo, deployed, ...(previous ? { previous } : {}), window, terms, searchHits, path, commits, facts, files, blames, ...(opts.incidentAt ? { incidentAt: opts.incidentAt } : {}) };
}

/**
 * The searched files worth following: the best ones, and any close behind (a file matching only a generic
 * word like "value" should not pull half the repository onto the path).
 */
function topSeeds(hits: FileHit[]): string[] {
  if (!hits.length) return [];
  const best = hits[0]!.score;
  return hits.filter((h, i) => i < 3 || h.score >= best * 0.6).filter((h) => h.score >= best * 0.4).slice(0, 6).map((h) => h.file);
}
