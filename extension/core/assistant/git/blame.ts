import { runGit } from './run';

export interface BlameLine {
  /** Line number in the blamed revision. */
  line: number;
  sha: string;
  /** Line number in the commit that introduced it. */
  originalLine: number;
  author: string;
  authoredAt: string;
  summary: string;
  /** Path in the introducing commit (differs after renames). */
  originalPath: string;
  text: string;
}

/** The all-zero sha git uses for uncommitted lines. */
export const UNCOMMITTED = '0'.repeat(40);

/**
 * Which commit last changed each line of `file` at `rev` (default HEAD): `git blame --porcelain`, optionally
 * limited to [start, end]. Lines moved by later commits keep their introducing commit (-M within the file).
 */
export async function blame(repo: string, file: string, opts: { rev?: string; start?: number; end?: number } = {}): Promise<BlameLine[]> {
  const args = ['blame', '--porcelain', '-M'];
  if (opts.start !== undefined) args.push('-L', `${opts.start},${opts.end ?? opts.start}`);
  if (opts.rev) args.push(opts.rev);
  args.push('--', file);
  return parseBlamePorcelain(await runGit(repo, args));
}

/** Parses `git blame --porcelain`: commit details are given once per commit, then only the header line. */
export function parseBlamePorcelain(text: string): BlameLine[] {
  const details = new Map<string, { author: string; authorTime: number; tz: string; summary: string; filename: string }>();
  const out: BlameLine[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const header = /^([0-9a-f]{40}) (\d+) (\d+)(?: \d+)?$/.exec(lines[i]!);
    if (!header) {
      i++;
      continue;
    }
    const sha = header[1]!;
    const info = details.get(sha) ?? { author: '', authorTime: 0, tz: '+0000', summary: '', filename: '' };
    i++;
    while (i < lines.length && !lines[i]!.startsWith('\t')) {
      const l = lines[i]!;
      const sp = l.indexOf(' ');
      const key = sp < 0 ? l : l.slice(0, sp);
      const value = sp < 0 ? '' : l.slice(sp + 1);
      if (key === 'author') info.author = value;
      else if (key === 'author-time') info.authorTime = Number(value);
      else if (key === 'author-tz') info.tz = value;
      else if (key === 'summary') info.summary = value;
      else if (key === 'filename') info.filename = value;
      i++;
    }
    details.set(sha, info);
    out.push({
      line: Number(header[3]),
      sha,
      originalLine: Number(header[2]),
      author: info.author,
      authoredAt: new Date(info.authorTime * 1000).toISOString(),
      summary: info.summary,
      originalPath: info.filename,
      text: (lines[i] ?? '\t').slice(1),
    });
    i++;
  }
  return out;
}
