import { globToRegExp, normalizePath } from '../../backend/relay/glob';

/**
 * Files that may never be instrumented, as globs (the relay's blocklist syntax: `**`, `*`, `?`, `{a,b}`; a
 * pattern matches the whole path or any tail starting at a `/`). Checked against every path a probe touches:
 * the file it names, the script it binds in and, through a source map, the original source.
 */
export class Blocklist {
  private patterns: Array<{ glob: string; regex: RegExp }> = [];

  constructor(globs: readonly string[] = []) {
    this.replace(globs);
  }

  /** Swaps in a new list (the relay pushed its policy): placements from now on are checked against it. */
  replace(globs: readonly string[]): void {
    this.patterns = globs.map((glob) => ({ glob, regex: globToRegExp(normalizePath(glob)) }));
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** The first glob blocking any of `paths`, with the path it blocked; undefined when all are allowed. */
  blocked(...paths: Array<string | undefined>): { glob: string; path: string } | undefined {
    for (const raw of paths) {
      if (!raw) continue;
      const path = normalizePath(raw);
      const hit = this.patterns.find((p) => p.regex.test(path));
      if (hit) return { glob: hit.glob, path: raw };
    }
    return undefined;
  }
}

/** The status reason of a probe the blocklist refused or took out. */
export function blockedReason(b: { glob: string; path: string }): string {
  return `${b.path} is on the blocklist (${b.glob}): no probe may instrument it`;
}
