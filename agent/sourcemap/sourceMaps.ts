import { eachMapping, GREATEST_LOWER_BOUND, originalPositionFor, sourceContentFor, TraceMap } from '@jridgewell/trace-mapping';
import { fileURLToPath } from 'node:url';
import { errorMessage, type Log } from '../diagnosticLog';
import type { LoadedScript, ScriptRegistry } from '../engine/scriptRegistry';
import { loadSourceMap, type RawSourceMap } from './loadMap';
import { pathOf } from './pathMatch';

/** A loaded script with its source map. */
export interface MappedScript {
  script: LoadedScript;
  map: TraceMap;
  /** Original sources: as the map resolves them (file://…, webpack://…) and as comparable paths. */
  sources: Array<{ resolved: string; path: string }>;
}

/** A position in original source (1-based line and column), `file` as a path when it is one. */
export interface OriginalPosition {
  file: string;
  line: number;
  column: number;
}

/**
 * The source maps of loaded scripts, read (in the worker, off the program's thread) as scripts are parsed.
 * Answers both directions: original line → generated position (to place probes) and generated → original
 * (to report stack frames). A map that cannot be read is logged once; its script binds by generated lines.
 */
export class SourceMapRegistry {
  private readonly byScript = new Map<string, MappedScript>();
  private readonly loading = new Set<Promise<void>>();
  private readonly listeners = new Set<(mapped: MappedScript) => void>();
  private readonly stopWatching: () => void;

  constructor(
    scripts: ScriptRegistry,
    private readonly log: Log,
    private readonly load: (scriptUrl: string, sourceMapURL: string) => Promise<RawSourceMap> = loadSourceMap,
  ) {
    this.stopWatching = scripts.onScript((script) => {
      for (const [id, m] of this.byScript) if (m.script.url === script.url) this.byScript.delete(id); // reloaded under a new id
      if (script.sourceMapURL) this.track(script, script.sourceMapURL);
    });
  }

  /** Every script whose map is loaded. */
  all(): MappedScript[] {
    return [...this.byScript.values()];
  }

  forScript(scriptId: string): MappedScript | undefined {
    return this.byScript.get(scriptId);
  }

  /** Calls `listener` each time a map finishes loading. */
  onMapped(listener: (mapped: MappedScript) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the maps being read now are in (so a probe added right after a script loads sees its map). */
  async settled(): Promise<void> {
    while (this.loading.size) await Promise.all([...this.loading]);
  }

  /** The original position of a generated one (1-based line, 1-based column), when the script is mapped there. */
  originalPosition(scriptId: string, line: number, column: number): OriginalPosition | undefined {
    const mapped = this.byScript.get(scriptId);
    if (!mapped) return undefined;
    const o = originalPositionFor(mapped.map, { line, column: Math.max(0, column - 1), bias: GREATEST_LOWER_BOUND });
    if (o.source === null || o.line === null) return undefined;
    return { file: displayPath(o.source), line: o.line, column: (o.column ?? 0) + 1 };
  }

  /** Where execution of an original line starts in the generated script: its earliest mapped position (1-based). */
  generatedPosition(mapped: MappedScript, resolvedSource: string, line: number): { line: number; column: number } | undefined {
    let best: { line: number; column: number } | undefined;
    eachMapping(mapped.map, (m) => {
      if (m.source !== resolvedSource || m.originalLine !== line) return;
      if (!best || m.generatedLine < best.line || (m.generatedLine === best.line && m.generatedColumn + 1 < best.column)) best = { line: m.generatedLine, column: m.generatedColumn + 1 };
    });
    return best;
  }

  /** An original source's text, from the map's sourcesContent (null when the map does not carry it). */
  contentOf(mapped: MappedScript, resolvedSource: string): string | null {
    return sourceContentFor(mapped.map, resolvedSource);
  }

  dispose(): void {
    this.stopWatching();
    this.listeners.clear();
  }

  private track(script: LoadedScript, sourceMapURL: string): void {
    const task = this.load(script.url, sourceMapURL)
      .then((raw) => {
        const map = new TraceMap(raw.json, raw.mapUrl);
        const sources = map.resolvedSources.map((resolved) => ({ resolved, path: pathOf(resolved) }));
        const mapped: MappedScript = { script, map, sources };
        this.byScript.set(script.scriptId, mapped);
        for (const listener of this.listeners) listener(mapped);
      })
      .catch((e) => this.log(`source map of ${script.url} not used: ${errorMessage(e)}`))
      .finally(() => this.loading.delete(task));
    this.loading.add(task);
  }
}

/** A resolved source as people read it: a path for file:// sources, the source string otherwise. */
export function displayPath(resolved: string): string {
  if (!resolved.startsWith('file://')) return resolved;
  try {
    return fileURLToPath(resolved);
  } catch {
    return `/${pathOf(resolved)}`;
  }
}
