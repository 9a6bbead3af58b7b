import { eachMapping, GREATEST_LOWER_BOUND, originalPositionFor, sourceContentFor, TraceMap } from '@jridgewell/trace-mapping';
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { errorMessage, type Log } from '../diagnosticLog';
import type { LoadedScript, ScriptRegistry } from '../engine/scriptRegistry';
import { loadSourceMap, MAX_SOURCE_MAP_BYTES, type RawSourceMap } from './loadMap';
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
  /** Maps of files the session has not reported (loaded while the Debugger domain was off), by file URL; null: none. */
  private readonly byFile = new Map<string, TraceMap | null>();
  private readonly readingFiles = new Map<string, Promise<void>>();
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
    return mapped && originalIn(mapped.map, line, column);
  }

  /**
   * The original position of a generated one in a file the session has not reported (see mapFile), when its map is
   * read and maps it there.
   */
  originalPositionInFile(fileUrl: string, line: number, column: number): OriginalPosition | undefined {
    const map = this.byFile.get(fileUrl);
    return map ? originalIn(map, line, column) : undefined;
  }

  /** Whether a file's map was looked for already (found or not). */
  triedFile(fileUrl: string): boolean {
    return this.byFile.has(fileUrl);
  }

  /**
   * Reads the map of a local file the session has not reported, from the `sourceMappingURL` comment of the file on
   * disk (once per file; a file without one, or unreadable, is remembered as having none). With the Debugger domain
   * off, scripts the program loads are not reported until it next goes on, and an injected snapshot's frames in
   * them would stay in generated positions. The file on disk is what the program loaded unless it was replaced
   * since, which the probe's own version check reports for probed files.
   */
  mapFile(fileUrl: string): Promise<void> {
    if (this.byFile.has(fileUrl)) return Promise.resolve();
    let reading = this.readingFiles.get(fileUrl);
    if (!reading) {
      reading = this.readFileMap(fileUrl)
        .then((map) => void this.byFile.set(fileUrl, map))
        .catch((e) => {
          this.byFile.set(fileUrl, null);
          this.log(`source map of ${fileUrl} not used: ${errorMessage(e)}`);
        })
        .finally(() => this.readingFiles.delete(fileUrl));
      this.readingFiles.set(fileUrl, reading);
    }
    return reading;
  }

  private async readFileMap(fileUrl: string): Promise<TraceMap | null> {
    const path = fileURLToPath(fileUrl);
    const { size } = await fs.stat(path);
    if (size > MAX_SOURCE_MAP_BYTES) return null;
    const sourceMapURL = lastSourceMappingURL(await fs.readFile(path, 'utf8'));
    if (!sourceMapURL) return null;
    const raw = await this.load(fileUrl, sourceMapURL);
    return new TraceMap(raw.json, raw.mapUrl);
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

/** Where a generated position (1-based line and column) comes from in original source, when the map says. */
function originalIn(map: TraceMap, line: number, column: number): OriginalPosition | undefined {
  const o = originalPositionFor(map, { line, column: Math.max(0, column - 1), bias: GREATEST_LOWER_BOUND });
  if (o.source === null || o.line === null) return undefined;
  return { file: displayPath(o.source), line: o.line, column: (o.column ?? 0) + 1 };
}

/** The URL of a script's last `//# sourceMappingURL=` comment (as V8 reads it), if any. */
export function lastSourceMappingURL(source: string): string | undefined {
  const re = /\/\/[#@][ \t]+sourceMappingURL=[ \t]*(\S+)[ \t]*$/gm;
  let url: string | undefined;
  for (let m = re.exec(source); m; m = re.exec(source)) url = m[1];
  return url;
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
