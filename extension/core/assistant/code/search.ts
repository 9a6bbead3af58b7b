import { GitError, runGit } from '../git/run';
import { squash, type Term } from './keywords';

export interface LineHit {
  file: string;
  line: number;
  text: string;
  /** Stems of the terms this line contains. */
  terms: string[];
  score: number;
}

export interface FileHit {
  file: string;
  score: number;
  /** Distinct terms matched anywhere in the file (or its path). */
  terms: string[];
  lines: LineHit[];
}

const CODE_FILE = /\.(?:[cm]?js|jsx|[cm]?ts|tsx)$/;
const NOT_PRODUCTION = /(?:^|\/)(?:node_modules|dist|build|coverage|vendor|__tests__|__mocks__|test|tests|spec|fixtures)\/|\.(?:test|spec)\.[^/]+$|\.d\.ts$/;

/** Source files that run in production (tests, builds, vendored code and declarations excluded). */
export function isProductionCode(file: string): boolean {
  return CODE_FILE.test(file) && !NOT_PRODUCTION.test(file);
}

/** A case-insensitive ERE for git grep: compounds may be split by `_` or `-` in code (HIGH_VALUE). */
function pattern(term: Term): string {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return term.parts ? term.parts.map(escape).join('[_-]?') : escape(term.stem);
}

/**
 * Lines of production code mentioning the terms, at `rev` (default: the work tree), via `git grep`, scored by
 * the distinct terms they contain; files ranked by the distinct terms they (and their paths) match.
 */
export async function searchCode(repo: string, terms: readonly Term[], opts: { rev?: string; maxFiles?: number } = {}): Promise<FileHit[]> {
  if (!terms.length) return [];
  const args = ['grep', '-n', '-I', '-i', '-E', '--full-name', '--no-color'];
  for (const t of terms) args.push('-e', pattern(t));
  if (opts.rev) args.push(safeRev(opts.rev));
  args.push('--', '*.js', '*.cjs', '*.mjs', '*.jsx', '*.ts', '*.cts', '*.mts', '*.tsx');
  let out: string;
  try {
    out = await runGit(repo, args);
  } catch (e) {
    if (e instanceof GitError && e.exitCode === 1) return []; // no match
    throw e;
  }
  const prefix = opts.rev ? `${opts.rev}:` : '';
  const files = new Map<string, FileHit>();
  for (const raw of out.split('\n')) {
    const row = raw.startsWith(prefix) ? raw.slice(prefix.length) : raw;
    const m = /^(.+?):(\d+):(.*)$/.exec(row);
    if (!m || !isProductionCode(m[1]!)) continue;
    const text = m[3]!;
    const found = terms.filter((t) => squash(text).includes(t.stem));
    if (!found.length || isCommentOnly(text)) continue;
    const hit: LineHit = { file: m[1]!, line: Number(m[2]), text: text.trim(), terms: found.map((t) => t.stem), score: found.reduce((s, t) => s + t.weight, 0) };
    const entry = files.get(hit.file) ?? { file: hit.file, score: 0, terms: [], lines: [] };
    entry.lines.push(hit);
    files.set(hit.file, entry);
  }
  for (const f of files.values()) {
    const inPath = terms.filter((t) => squash(f.file).includes(t.stem));
    const matched = new Map<string, number>();
    for (const t of [...inPath, ...terms.filter((t) => f.lines.some((l) => l.terms.includes(t.stem)))]) matched.set(t.stem, t.weight);
    f.terms = [...matched.keys()].sort();
    f.score = round([...matched.values()].reduce((s, w) => s + w, 0) + 0.05 * Math.min(f.lines.length, 20));
    f.lines.sort((a, b) => b.score - a.score || a.line - b.line);
  }
  return [...files.values()].sort((a, b) => b.score - a.score || a.file.localeCompare(b.file)).slice(0, opts.maxFiles ?? 20);
}

const isCommentOnly = (text: string) => /^\s*(?:\/\/|\/?\*)/.test(text);
const round = (x: number) => Math.round(x * 1000) / 1000;

/** git grep has no --end-of-options: refuse anything that could read as an option instead. */
function safeRev(rev: string): string {
  if (!/^[0-9A-Za-z][\w./~^-]*$/.test(rev)) throw new Error(`not a revision: '${rev}'`);
  return rev;
}
