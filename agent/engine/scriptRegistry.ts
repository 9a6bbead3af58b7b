import type { InspectorClient } from '../inspectorClient';

export interface LoadedScript {
  scriptId: string;
  url: string;
  /** Lines in the script, as an editor would count them. */
  lines: number;
}

/**
 * The scripts V8 has loaded, from Debugger.scriptParsed (replayed for all existing scripts on Debugger.enable).
 * Scripts without a URL (evals, breakpoint conditions) and node: internals are not places users probe.
 */
export class ScriptRegistry {
  private readonly byUrl = new Map<string, LoadedScript>();
  private readonly urlById = new Map<string, string>();
  private readonly listeners = new Set<(script: LoadedScript) => void>();

  constructor(client: InspectorClient) {
    client.on('Debugger.scriptParsed', (e) => {
      if (!e.url || e.url.startsWith('node:')) return;
      // endLine is 0-based; a final newline leaves an empty last "line" that editors do not count
      const script = { scriptId: e.scriptId, url: e.url, lines: e.endLine + (e.endColumn > 0 ? 1 : 0) };
      this.byUrl.set(e.url, script);
      this.urlById.set(e.scriptId, e.url);
      for (const listener of this.listeners) listener(script);
    });
  }

  urlOf(scriptId: string): string | undefined {
    return this.urlById.get(scriptId);
  }

  /** Loaded scripts (one per URL) whose URL matches. */
  matching(pattern: RegExp): LoadedScript[] {
    return [...this.byUrl.values()].filter((s) => pattern.test(s.url));
  }

  /** Calls `listener` for every script loaded from now on. */
  onScript(listener: (script: LoadedScript) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
