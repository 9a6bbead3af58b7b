import { parseUnifiedDiff } from '../assistant/git/diff';
import { runGit } from '../assistant/git/run';

/** One changed region of base..head, with both sides' lines (diffed with no context: hunks are exactly the change). */
export interface ChangedHunk {
  /** Path in the head revision (the base path for a deleted file). */
  file: string;
  /** Path in the base (deployed) revision; undefined for a file the branch adds. */
  deployedFile?: string;
  /** 1-based position among the file's hunks. */
  index: number;
  header: string;
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  added: { line: number; text: string }[];
  removed: { line: number; text: string }[];
}

/** Source files whose lines an agent can probe (JavaScript, and TypeScript through source maps). */
export const PROBEABLE = /\.(?:[cm]?js|jsx|[cm]?ts|tsx)$/i;

/** The hunks of `git diff base head` in probeable files, in path order. */
export async function diffHunks(repo: string, base: string, head: string): Promise<ChangedHunk[]> {
  const patch = await runGit(repo, ['diff', '-M', '--no-ext-diff', '--no-color', '--unified=0', '--end-of-options', base, head, '--']);
  const out: ChangedHunk[] = [];
  const files = parseUnifiedDiff(patch)
    .filter((f) => !f.binary && PROBEABLE.test(f.path))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const f of files) {
    const deployedFile = f.status === 'added' ? undefined : f.oldPath ?? f.path;
    f.hunks.forEach((h, i) => {
      out.push({
        file: f.path,
        ...(deployedFile ? { deployedFile } : {}),
        index: i + 1,
        header: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@${h.section ? ` ${h.section}` : ''}`,
        oldStart: h.oldStart,
        oldLines: h.oldLines,
        newStart: h.newStart,
        newLines: h.newLines,
        added: h.lines.filter((l) => l.kind === 'add').map((l) => ({ line: l.newLine!, text: l.text })),
        removed: h.lines.filter((l) => l.kind === 'del').map((l) => ({ line: l.oldLine!, text: l.text })),
      });
    });
  }
  return out;
}

export function changeOf(h: Pick<ChangedHunk, 'added' | 'removed'>): 'modified' | 'added' | 'deleted' {
  if (!h.removed.length) return 'added';
  return h.added.length ? 'modified' : 'deleted';
}
