import { blame, type BlameLine } from './git/blame';
import { commitDiff, type FileDiff } from './git/diff';
import type { RepoFiles } from './git/files';
import type { CommitInfo } from './git/log';
import { runGit } from './git/run';
import { squash, type Term } from './code/keywords';
import { SourceFacts } from './code/lineFacts';
import { isProductionCode } from './code/search';
import type { SourceLocation } from './schema';

/** What the scorer and the planner know about one commit: plain data, computed once. */
export interface CommitFacts {
  sha: string;
  subject: string;
  author: string;
  committedAt: string;
  files: string[];
  /** Changed files that run in production. */
  codeFiles: string[];
  /** Added + removed lines in production code. */
  codeLinesChanged: number;
  /** Of those, lines that are code (not blank, not comments): 0 means behaviour cannot have changed. */
  executableLinesChanged: number;
  /** This commit's lines still present in the deployed revision (blame), numbered as deployed. */
  surviving: SourceLocation[];
  /** Leaf identifiers its added lines write (assign, declare, set as object keys) and read. */
  writes: string[];
  reads: string[];
  /** Leaf identifiers its deleted lines wrote and no added line writes any more (a renamed or dropped field). */
  removedWrites: string[];
  /** Functions whose bodies it changed (so what they return may have changed). */
  functions: string[];
  /** Functions its added lines call, and those its deleted lines called (a call on both sides pre-existed). */
  addedCalls: string[];
  removedCalls: string[];
  /** Question terms (stems) its added lines mention. */
  terms: string[];
  /** Changed files the question's code search matched (the files it followed). */
  searchFiles: string[];
  /** How well its best changed file matched the question, relative to the best match (0..1; 0: no match). */
  searchScore: number;
  /** Its deleted lines, whitespace removed (to tell an expression it changed from one it only kept). */
  deletedLines: string[];
  /** String and number literals on its deployed lines ('7.25%', 6000): a runtime value equal to one came from it. */
  addedLiterals: string[];
  /** Smallest distance of a changed file from the searched code on the request path (0: a matched file). */
  pathDistance?: number;
  /** Hours between the commit and the incident (or deploy) time; negative: after it. */
  hoursBefore?: number;
}

/** `order.amount` → `amount`, `this.total` → `total`: what links a captured value to a line that wrote it. */
export const leafName = (chain: string) => chain.replace(/\?\./g, '.').split('.').pop()!.replace(/\[.*$/, '');

/** Blames files at the deployed revision once each. */
export class BlameCache {
  private readonly cache = new Map<string, Promise<BlameLine[]>>();
  constructor(
    private readonly repo: string,
    private readonly rev: string,
  ) {}
  of(file: string): Promise<BlameLine[]> {
    let hit = this.cache.get(file);
    if (!hit) {
      hit = blame(this.repo, file, { rev: this.rev }).catch(() => []);
      this.cache.set(file, hit);
    }
    return hit;
  }
}

export interface FactsInput {
  repo: string;
  commit: CommitInfo;
  files: RepoFiles;
  blames: BlameCache;
  terms: readonly Term[];
  searchFiles: ReadonlySet<string>;
  /** Every searched file's score relative to the best (0..1). */
  searchScores?: ReadonlyMap<string, number>;
  path: ReadonlyMap<string, number>;
  incidentAt?: Date;
  /** Pre-read diff (tests, models); read from git otherwise. */
  diff?: FileDiff[];
}

export async function commitFacts(input: FactsInput): Promise<CommitFacts> {
  const { commit } = input;
  const diff = input.diff ?? (await commitDiff(input.repo, commit.sha));
  const codeFiles = diff.filter((f) => isProductionCode(f.path) && f.status !== 'deleted').map((f) => f.path);
  const writes = new Set<string>();
  const reads = new Set<string>();
  const terms = new Set<string>();
  const removed = new Set<string>();
  const functions = new Set<string>();
  const addedCalls = new Set<string>();
  const literals = new Set<string>();
  const removedCalls = new Set<string>();
  const surviving: SourceLocation[] = [];
  for (const f of diff.filter((d) => codeFiles.includes(d.path))) {
    const deployedLines = (await input.blames.of(f.path)).filter((b) => b.sha === commit.sha);
    surviving.push(...deployedLines.map((b) => ({ file: f.path, line: b.line })));
    const source = await input.files.read(f.path);
    const facts = source === undefined ? undefined : new SourceFacts(source);
    for (const b of deployedLines) {
      if (!facts) break;
      const lf = facts.facts(b.line);
      for (const c of lf.calls) addedCalls.add(c);
      for (const t of facts.tokens) if (t.line === b.line && (t.type === 'str' || t.type === 'num') && literals.size < 200) literals.add(t.type === 'str' ? t.text.slice(1, -1) : t.text.replace(/_/g, ''));
      const fn = facts.insideFunction(b.line) ? facts.enclosingFunction(b.line) : undefined;
      if (fn && lf.code) functions.add(fn);
      for (const w of lf.writes) writes.add(leafName(w));
      for (const r of lf.reads) reads.add(leafName(r));
    }
    for (const h of f.hunks) for (const l of h.lines) if (l.kind === 'add') for (const t of input.terms) if (squash(l.text).includes(t.stem)) terms.add(t.stem);
    const deleted = f.hunks.flatMap((h) => h.lines.filter((l) => l.kind === 'del' && l.oldLine !== undefined).map((l) => l.oldLine!));
    if (deleted.length && commit.parents[0]) {
      const before = await readAt(input.repo, commit.parents[0], f.oldPath ?? f.path);
      const old = before === undefined ? undefined : new SourceFacts(before);
      for (const line of deleted) {
        const lf = old?.facts(line);
        for (const w of lf?.writes ?? []) removed.add(leafName(w));
        for (const c of lf?.calls ?? []) removedCalls.add(c);
      }
    }
  }
  const distances = codeFiles.map((f) => input.path.get(f)).filter((d): d is number => d !== undefined);
  return {
    sha: commit.sha,
    subject: commit.subject,
    author: commit.author,
    committedAt: commit.committedAt,
    files: diff.map((f) => f.path).sort(),
    codeFiles: codeFiles.sort(),
    codeLinesChanged: diff.filter((f) => codeFiles.includes(f.path)).reduce((s, f) => s + f.added + f.removed, 0),
    executableLinesChanged: diff
      .filter((f) => codeFiles.includes(f.path))
      .reduce((s, f) => s + f.hunks.reduce((n, h) => n + h.lines.filter((l) => l.kind !== 'ctx' && isExecutable(l.text)).length, 0), 0),
    surviving: surviving.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line),
    writes: [...writes].sort(),
    reads: [...reads].filter((r) => !writes.has(r)).sort(),
    removedWrites: [...removed].filter((r) => !writes.has(r)).sort(),
    functions: [...functions].sort(),
    addedCalls: [...addedCalls].sort(),
    addedLiterals: [...literals].sort(),
    removedCalls: [...removedCalls].sort(),
    terms: [...terms].sort(),
    searchFiles: codeFiles.filter((f) => input.searchFiles.has(f)).sort(),
    searchScore: round(Math.max(0, ...codeFiles.map((f) => input.searchScores?.get(f) ?? (input.searchFiles.has(f) ? 1 : 0)))),
    deletedLines: diff
      .filter((f) => codeFiles.includes(f.path))
      .flatMap((f) => f.hunks.flatMap((h) => h.lines.filter((l) => l.kind === 'del').map((l) => l.text.replace(/\s+/g, ''))))
      .slice(0, 200),
    ...(distances.length ? { pathDistance: Math.min(...distances) } : {}),
    ...(input.incidentAt ? { hoursBefore: round((input.incidentAt.getTime() - Date.parse(commit.committedAt)) / 3_600_000) } : {}),
  };
}

async function readAt(repo: string, rev: string, file: string): Promise<string | undefined> {
  try {
    return await runGit(repo, ['show', `${rev}:${file}`]);
  } catch {
    return undefined;
  }
}

/** Not blank and not only a comment (a heuristic on one line: block comments are recognised by their markers). */
const isExecutable = (text: string) => !/^\s*(?:$|\/\/|\/\*|\*)/.test(text);
const round = (x: number) => Math.round(x * 1000) / 1000;
