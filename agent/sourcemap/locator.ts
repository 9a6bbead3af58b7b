import { ambiguousReason, displayName } from '../engine/breakpointEngine';
import type { LoadedScript, ScriptRegistry } from '../engine/scriptRegistry';
import type { GeneratedTarget } from '../probe/prepare';
import { matchScore, pathOf } from './pathMatch';
import { displayPath, type MappedScript, type SourceMapRegistry } from './sourceMaps';

/** Where a probe's file and line are in the running code, or why they are nowhere (yet). */
export type Resolution =
  /** Nothing loaded matches the file (yet). */
  | { kind: 'none' }
  | { kind: 'ambiguous'; reason: string }
  /**
   * The file is a running script. `exact`: the probe's path matches the script's URL in full, so an engine's
   * own suffix matching finds it; otherwise (an editor's absolute path from another checkout) `target` says where.
   */
  | { kind: 'direct'; script: LoadedScript; exact: boolean; target?: GeneratedTarget }
  /** The file is an original source of a running script, through its source map. */
  | { kind: 'mapped'; mapped: MappedScript; source: string; file: string; target: GeneratedTarget }
  | { kind: 'error'; code: 'line_out_of_range' | 'no_code'; reason: string };

interface Candidate {
  /** Comparable path: candidates with the same path are the same file. */
  path: string;
  display: string;
  score: number;
  script?: LoadedScript;
  mapped?: { mapped: MappedScript; source: string };
}

/**
 * Finds the file a probe names among running scripts and the original sources of their source maps: the
 * longest path-suffix match at path boundaries wins; two different files matching equally well is an error
 * naming them. A running script is preferred over an original source with the same path.
 */
export class Locator {
  constructor(
    private readonly scripts: ScriptRegistry,
    private readonly maps: SourceMapRegistry,
    /** Reads an original source from disk when its map has no sourcesContent (undefined: unreadable). */
    private readonly readText: (path: string) => string | undefined,
  ) {}

  resolve(file: string, line: number): Resolution {
    const top = this.bestCandidates(file);
    if (!top.length) return { kind: 'none' };
    const paths = [...new Map(top.map((c) => [c.path, c.display])).values()];
    if (paths.length > 1) return { kind: 'ambiguous', reason: ambiguousReason(file, paths) };
    const direct = top.find((c) => c.script);
    if (direct?.script) {
      const exact = direct.score === pathOf(file).split('/').length; // the whole path: an engine's suffix match finds it too
      const target: GeneratedTarget = { url: direct.script.url, line, original: { file: direct.display, line } };
      return exact ? { kind: 'direct', script: direct.script, exact } : { kind: 'direct', script: direct.script, exact, target };
    }
    return this.mapped(top[0]!, line);
  }

  private mapped(candidate: Candidate, line: number): Resolution {
    const { mapped, source } = candidate.mapped!;
    const text = this.maps.contentOf(mapped, source) ?? (source.startsWith('file://') ? this.readText(displayPath(source)) : undefined);
    const lines = text === undefined ? undefined : countLines(text);
    if (lines !== undefined && line > lines) {
      return { kind: 'error', code: 'line_out_of_range', reason: `line ${line} is past the end of ${candidate.display} (${lines} lines)` };
    }
    const generated = this.maps.generatedPosition(mapped, source, line);
    if (!generated) {
      return { kind: 'error', code: 'no_code', reason: `line ${line} of ${candidate.display} has no code in the running script ${displayName(mapped.script.url)} (a comment, a type, or code the build removed)` };
    }
    const target: GeneratedTarget = { url: mapped.script.url, line: generated.line, column: generated.column, original: { file: candidate.display, line } };
    return { kind: 'mapped', mapped, source, file: candidate.display, target };
  }

  private bestCandidates(file: string): Candidate[] {
    const all: Candidate[] = [];
    for (const script of this.scripts.all()) {
      const score = matchScore(file, script.url);
      if (score) all.push({ path: pathOf(script.url), display: displayName(script.url), score, script });
    }
    for (const mapped of this.maps.all()) {
      for (const s of mapped.sources) {
        const score = matchScore(file, s.resolved);
        if (score) all.push({ path: s.path, display: displayPath(s.resolved), score, mapped: { mapped, source: s.resolved } });
      }
    }
    const best = Math.max(0, ...all.map((c) => c.score));
    return all.filter((c) => c.score === best && best > 0);
  }
}

/** Lines as an editor counts them (a final newline does not start another line). */
export function countLines(text: string): number {
  if (!text) return 0;
  const n = text.split('\n').length;
  return text.endsWith('\n') ? n - 1 : n;
}
