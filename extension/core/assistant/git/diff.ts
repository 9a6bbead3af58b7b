import { runGit } from './run';

export type LineKind = 'add' | 'del' | 'ctx';

export interface DiffLine {
  kind: LineKind;
  text: string;
  /** Line in the parent's version (del, ctx). */
  oldLine?: number;
  /** Line in the commit's version (add, ctx). */
  newLine?: number;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** The function/section git names after `@@` (may be empty). */
  section: string;
  lines: DiffLine[];
}

export interface FileDiff {
  /** Path in the commit (the old path for a deletion). */
  path: string;
  /** Path in the parent, when it differs (rename) or the file was deleted. */
  oldPath?: string;
  status: 'added' | 'deleted' | 'modified' | 'renamed';
  binary: boolean;
  added: number;
  removed: number;
  hunks: Hunk[];
}

/** A commit's changes against its first parent (a root commit: against the empty tree). */
export async function commitDiff(repo: string, sha: string, context = 3): Promise<FileDiff[]> {
  const [patch, numstat] = await Promise.all([
    runGit(repo, ['show', '--format=', '-p', '-M', '--no-ext-diff', `--unified=${context}`, '--diff-merges=first-parent', '--end-of-options', sha]),
    runGit(repo, ['show', '--format=', '--numstat', '-z', '-M', '--diff-merges=first-parent', '--end-of-options', sha]),
  ]);
  const files = parseUnifiedDiff(patch);
  const counts = parseNumstat(numstat);
  for (const f of files) {
    const n = counts.get(f.path);
    if (n) {
      f.added = n.added ?? f.added;
      f.removed = n.removed ?? f.removed;
      if (n.added === undefined) f.binary = true;
    }
  }
  return files;
}

/** `git --numstat -z` → per path (new path for renames): counts, undefined for binary files. */
export function parseNumstat(text: string): Map<string, { added?: number; removed?: number }> {
  const out = new Map<string, { added?: number; removed?: number }>();
  const parts = text.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const m = /^\n?(-|\d+)\t(-|\d+)\t(.*)$/s.exec(parts[i]!);
    if (!m) continue;
    let file = m[3]!;
    if (file === '') {
      // a rename: the old and new paths follow as their own NUL-terminated fields
      file = parts[i + 2] ?? '';
      i += 2;
    }
    out.set(file, { added: m[1] === '-' ? undefined : Number(m[1]), removed: m[2] === '-' ? undefined : Number(m[2]) });
  }
  return out;
}

/** Parses `git diff`/`git show -p` output into files and hunks with both sides' line numbers. */
export function parseUnifiedDiff(text: string): FileDiff[] {
  const files: FileDiff[] = [];
  let file: FileDiff | undefined;
  let hunk: Hunk | undefined;
  let oldLine = 0;
  let newLine = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('diff --git ')) {
      const paths = splitGitHeader(line.slice('diff --git '.length));
      file = { path: paths?.[1] ?? '', oldPath: paths?.[0], status: 'modified', binary: false, added: 0, removed: 0, hunks: [] };
      files.push(file);
      hunk = undefined;
      continue;
    }
    if (!file) continue;
    if (hunk && (line.startsWith('+') || line.startsWith('-') || line.startsWith(' ') || line === '')) {
      // inside a hunk every line is content until the counts are used up
      const remaining = hunk.oldStart + hunk.oldLines > oldLine || hunk.newStart + hunk.newLines > newLine;
      if (remaining) {
        if (line.startsWith('+')) {
          hunk.lines.push({ kind: 'add', text: line.slice(1), newLine: newLine++ });
          file.added++;
        } else if (line.startsWith('-')) {
          hunk.lines.push({ kind: 'del', text: line.slice(1), oldLine: oldLine++ });
          file.removed++;
        } else {
          hunk.lines.push({ kind: 'ctx', text: line.slice(1), oldLine: oldLine++, newLine: newLine++ });
        }
        continue;
      }
    }
    const h = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/.exec(line);
    if (h) {
      hunk = { oldStart: Number(h[1]), oldLines: h[2] === undefined ? 1 : Number(h[2]), newStart: Number(h[3]), newLines: h[4] === undefined ? 1 : Number(h[4]), section: h[5] ?? '', lines: [] };
      oldLine = hunk.oldStart;
      newLine = hunk.newStart;
      file.hunks.push(hunk);
      continue;
    }
    if (line.startsWith('\\')) continue; // "\ No newline at end of file"
    if (line.startsWith('new file mode')) file.status = 'added';
    else if (line.startsWith('deleted file mode')) file.status = 'deleted';
    else if (line.startsWith('rename from ')) {
      file.status = 'renamed';
      file.oldPath = unquote(line.slice('rename from '.length));
    } else if (line.startsWith('rename to ')) file.path = unquote(line.slice('rename to '.length));
    else if (line.startsWith('Binary files ') || line.startsWith('GIT binary patch')) file.binary = true;
    else if (line.startsWith('--- ')) {
      const p = headerPath(line.slice(4));
      if (p !== undefined) file.oldPath = p;
    } else if (line.startsWith('+++ ')) {
      const p = headerPath(line.slice(4));
      if (p !== undefined) file.path = p;
    }
  }
  for (const f of files) {
    if (f.status === 'deleted' && f.oldPath) f.path = f.oldPath;
    if (f.status !== 'renamed' && f.status !== 'deleted') delete f.oldPath;
  }
  return files;
}

/** `a/x b/x` → ['x', 'x'] (only trustworthy when both halves are equal or quoted; ---/+++ lines refine it). */
function splitGitHeader(rest: string): [string, string] | undefined {
  if (rest.startsWith('"')) {
    const m = /^("(?:[^"\\]|\\.)*") ("(?:[^"\\]|\\.)*"|\S.*)$/.exec(rest);
    if (m) return [stripPrefix(unquote(m[1]!)), stripPrefix(unquote(m[2]!))];
  }
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest[half] === ' ') return [stripPrefix(rest.slice(0, half)), stripPrefix(rest.slice(half + 1))];
  const m = /^(\S+) (\S+)$/.exec(rest);
  return m ? [stripPrefix(m[1]!), stripPrefix(m[2]!)] : undefined;
}

function headerPath(raw: string): string | undefined {
  const p = unquote(raw.replace(/\t.*$/, ''));
  return p === '/dev/null' ? undefined : stripPrefix(p);
}

const stripPrefix = (p: string) => p.replace(/^[ab]\//, '');

/** Git's C-style quoting ("a\tb", octal UTF-8 bytes) → the path. */
function unquote(s: string): string {
  if (!s.startsWith('"') || !s.endsWith('"')) return s;
  const bytes: number[] = [];
  const body = s.slice(1, -1);
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[i + 1]!;
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Lines a commit added, per file, numbered as in the commit's version. */
export function addedLines(file: FileDiff): DiffLine[] {
  return file.hunks.flatMap((h) => h.lines.filter((l) => l.kind === 'add'));
}
