import type { InspectorClient } from '../inspectorClient';

export interface LoadedScript {
  scriptId: string;
  url: string;
  /** Lines in the script, as an editor would count them. */
  lines: number;
  /** Its length in UTF-16 units, as V8 reports it (what a live edit's cost grows with). */
  chars?: number;
  /** From the script's `//# sourceMappingURL=` comment (a data: URL or one relative to `url`). */
  sourceMapURL?: string;
}

/**
 * The scripts V8 has loaded, from Debugger.scriptParsed (replayed for all existing scripts on Debugger.enable).
 * Scripts without a URL (evals, breakpoint conditions) and node: internals are not places users probe.
 */
export class ScriptRegistry {
  private readonly scriptsByUrl = new Map<string, LoadedScript>();
  private readonly urlById = new Map<string, string>();
  private readonly listeners = new Set<(script: LoadedScript) => void>();
  private readonly editListeners = new Set<(script: LoadedScript) => void>();

  constructor(client: InspectorClient) {
    client.on('Debugger.scriptParsed', (e) => {
      if (!e.url) return;
      this.urlById.set(e.scriptId, e.url); // every script's, so stack frames in node: internals are named too
      if (e.url.startsWith('node:')) return;
      // endLine is 0-based; a final newline leaves an empty last "line" that editors do not count
      const script: LoadedScript = { scriptId: e.scriptId, url: e.url, lines: e.endLine + (e.endColumn > 0 ? 1 : 0), ...(e.length !== undefined ? { chars: e.length } : {}), ...(e.sourceMapURL ? { sourceMapURL: e.sourceMapURL } : {}) };
      this.scriptsByUrl.set(e.url, script);
      for (const listener of this.listeners) listener(script);
    });
  }

  urlOf(scriptId: string): string | undefined {
    return this.urlById.get(scriptId);
  }

  /** The script loaded under this exact URL (the latest, when a URL was loaded twice). */
  byUrl(url: string): LoadedScript | undefined {
    return this.scriptsByUrl.get(url);
  }

  /** Every loaded script with a URL. */
  all(): LoadedScript[] {
    return [...this.scriptsByUrl.values()];
  }

  /** Loaded scripts (one per URL) whose URL matches. */
  matching(pattern: RegExp): LoadedScript[] {
    return [...this.scriptsByUrl.values()].filter((s) => pattern.test(s.url));
  }

  /**
   * Calls `listener` after a live edit (Debugger.setScriptSource) of a script: V8 drops every breakpoint in an
   * edited script (observed on Node 20), so whoever placed breakpoints there must place them again.
   */
  onEdited(listener: (script: LoadedScript) => void): () => void {
    this.editListeners.add(listener);
    return () => this.editListeners.delete(listener);
  }

  /** Announces a live edit of `scriptId` (see onEdited). */
  edited(scriptId: string): void {
    const url = this.urlById.get(scriptId);
    const script = url === undefined ? undefined : this.scriptsByUrl.get(url);
    if (script) for (const listener of this.editListeners) listener(script);
  }

  /** Calls `listener` for every script loaded from now on. */
  onScript(listener: (script: LoadedScript) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
