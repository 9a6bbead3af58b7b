import { fileURLToPath } from 'node:url';
import type { Protocol } from 'devtools-protocol';
import { errorMessage, type Log } from '../diagnosticLog';
import type { InspectorClient } from '../inspectorClient';
import type { PreparedProbe } from '../probe/prepare';
import { SerialQueue } from '../serialQueue';
import { buildLogpointCondition } from './logpointCondition';
import type { LoadedScript, ScriptRegistry } from './scriptRegistry';
import type { BoundLocation, ProbeEngine, StatusCallback } from './types';
import { exactUrlRegex, suffixUrlRegex } from './urlSuffix';

interface Placement {
  probe: PreparedProbe;
  /** The same pattern V8 matches script URLs with, for our own checks. */
  pattern: RegExp;
  breakpointId: string;
  boundUrl?: string;
  /** What placed it, to place it again after a live edit of its script (which drops V8's breakpoints). */
  params?: Protocol.Debugger.SetBreakpointByUrlRequest;
}

/**
 * The breakpoint tier: each logpoint is a conditional breakpoint whose condition records values and returns
 * false, so the program never pauses (cost: a trap per hit, ~50-60 µs, and the function is de-optimised).
 * Placed by URL suffix, so a probe on a file that is not loaded yet binds when it loads.
 */
export class BreakpointEngine implements ProbeEngine {
  private readonly placements = new Map<string, Placement>();
  private readonly queue = new SerialQueue();
  private readonly stopWatchingScripts: () => void;
  private readonly stopWatchingEdits: () => void;

  constructor(
    private readonly client: InspectorClient,
    private readonly scripts: ScriptRegistry,
    private readonly onStatus: StatusCallback,
    private readonly log: Log,
    /** What the breakpoint evaluates on each hit: a logpoint's record-and-continue by default; a snapshot's pause gate. */
    private readonly conditionFor: (probe: PreparedProbe) => string = buildLogpointCondition,
  ) {
    const inQueue = (what: string, task: () => Promise<void>) => void this.queue.run(task).catch((e) => log(`${what} failed: ${errorMessage(e)}`));
    client.on('Debugger.breakpointResolved', (e) => inQueue('binding a resolved breakpoint', () => this.onResolved(e)));
    this.stopWatchingScripts = scripts.onScript((script) => inQueue(`checking probes against ${script.url}`, () => this.onScriptLoaded(script)));
    this.stopWatchingEdits = scripts.onEdited((script) => inQueue(`placing breakpoints again in edited ${script.url}`, () => this.onScriptEdited(script)));
  }

  add(probe: PreparedProbe): Promise<void> {
    return this.queue.run(async () => {
      await this.unplace(probe.spec.id);
      await this.place(probe);
    });
  }

  remove(probeId: string): Promise<void> {
    return this.queue.run(() => this.unplace(probeId));
  }

  /** Resolves when every add/remove asked for so far is done (a breakpoint can hit before its id is known here). */
  settled(): Promise<void> {
    return this.queue.run(async () => undefined);
  }

  /** The probe a breakpoint of this engine belongs to (for Debugger.paused's hitBreakpoints). */
  probeForBreakpoint(breakpointId: string): PreparedProbe | undefined {
    for (const p of this.placements.values()) if (p.breakpointId === breakpointId) return p.probe;
    return undefined;
  }

  dispose(): Promise<void> {
    this.stopWatchingScripts();
    this.stopWatchingEdits();
    return this.queue.run(async () => {
      for (const id of [...this.placements.keys()]) await this.unplace(id);
    });
  }

  private async place(probe: PreparedProbe): Promise<void> {
    const { id } = probe.spec;
    // a source-mapped probe has an exact place in the generated script; others match the file as a path suffix
    const { file, line } = probe.target ? { file: probe.target.url, line: probe.target.line } : probe.spec;
    const urlRegex = probe.target ? exactUrlRegex(probe.target.url) : suffixUrlRegex(file);
    const pattern = new RegExp(urlRegex);
    const loaded = this.scripts.matching(pattern);
    if (loaded.length > 1) return this.onStatus({ probeId: id, state: 'error', reason: ambiguousReason(file, loaded.map((s) => s.url)), code: 'ambiguous' });
    const problem = loaded.length === 1 ? pastEnd(line, loaded[0]!) : undefined;
    if (problem) return this.onStatus({ probeId: id, state: 'error', reason: problem, code: 'line_out_of_range' });

    let result: Protocol.Debugger.SetBreakpointByUrlResponse;
    let params: Protocol.Debugger.SetBreakpointByUrlRequest;
    try {
      // V8 refuses two breakpoints with the same url/line (it ids them by that), so each probe's regex gets
      // a never-matching alternative naming the probe: two probes can share a line.
      params = {
        urlRegex: `(?:${urlRegex})|(?!)${id}`,
        lineNumber: line - 1,
        ...(probe.target?.column !== undefined ? { columnNumber: probe.target.column - 1 } : {}),
        condition: this.conditionFor(probe),
      };
      result = await this.client.post('Debugger.setBreakpointByUrl', params);
    } catch (e) {
      return this.onStatus({ probeId: id, state: 'error', reason: `could not set a breakpoint: ${errorMessage(e)}`, code: 'placement_failed' });
    }
    const placement: Placement = { probe, pattern, breakpointId: result.breakpointId, params };
    this.placements.set(id, placement);
    const first = result.locations[0];
    if (first) return this.bind(placement, first);
    if (loaded.length === 1) {
      await this.unplace(id);
      return this.onStatus({ probeId: id, state: 'error', reason: `line ${line} of ${displayName(loaded[0]!.url)} has no code to break on`, code: 'no_code' });
    }
    this.onStatus({ probeId: id, state: 'pending', reason: `no loaded script matches "${file}" yet; the probe binds when it loads`, code: 'not_loaded' });
  }

  private async unplace(probeId: string): Promise<void> {
    const placement = this.placements.get(probeId);
    if (!placement) return;
    this.placements.delete(probeId);
    try {
      await this.client.post('Debugger.removeBreakpoint', { breakpointId: placement.breakpointId });
    } catch (e) {
      this.log(`removing the breakpoint of ${probeId} failed: ${errorMessage(e)}`);
    }
  }

  private async onResolved(e: Protocol.Debugger.BreakpointResolvedEvent): Promise<void> {
    const placement = [...this.placements.values()].find((p) => p.breakpointId === e.breakpointId);
    if (placement) await this.bind(placement, e.location);
  }

  /** A script loaded while probes wait for it: catch lines past its end, which V8 would silently never bind. */
  private async onScriptLoaded(script: LoadedScript): Promise<void> {
    for (const placement of [...this.placements.values()]) {
      if (placement.boundUrl || !placement.pattern.test(script.url)) continue;
      const problem = pastEnd(placement.probe.target?.line ?? placement.probe.spec.line, script);
      if (!problem) continue;
      await this.unplace(placement.probe.spec.id);
      this.onStatus({ probeId: placement.probe.spec.id, state: 'error', reason: problem, code: 'line_out_of_range' });
    }
  }

  /** A live edit dropped V8's breakpoints in this script: place ours there again, quietly (same probes, same places). */
  private async onScriptEdited(script: LoadedScript): Promise<void> {
    for (const placement of [...this.placements.values()]) {
      if (placement.boundUrl !== script.url || !placement.params) continue;
      try {
        await this.client.post('Debugger.removeBreakpoint', { breakpointId: placement.breakpointId });
        placement.breakpointId = (await this.client.post('Debugger.setBreakpointByUrl', placement.params)).breakpointId;
      } catch (e) {
        this.log(`placing the breakpoint of ${placement.probe.spec.id} again failed: ${errorMessage(e)}`);
      }
    }
  }

  private async bind(placement: Placement, location: Protocol.Debugger.Location): Promise<void> {
    const { id, file } = placement.probe.spec;
    const { target } = placement.probe;
    const url = this.scripts.urlOf(location.scriptId) ?? `script ${location.scriptId}`;
    if (placement.boundUrl === url) return;
    if (placement.boundUrl) {
      // a second, different file with the same suffix loaded after we bound: the probe no longer says where
      await this.unplace(id);
      return this.onStatus({ probeId: id, state: 'error', reason: ambiguousReason(file, [placement.boundUrl, url]), code: 'ambiguous' });
    }
    placement.boundUrl = url;
    const bound: BoundLocation = {
      url,
      line: location.lineNumber + 1,
      ...(location.columnNumber !== undefined ? { column: location.columnNumber + 1 } : {}),
      ...(target ? { original: target.original } : {}),
    };
    this.onStatus({ probeId: id, state: 'bound', location: bound, tier: 'breakpoint' });
  }
}

export function ambiguousReason(file: string, urls: string[]): string {
  const shown = urls.slice(0, 5).map(displayName).join(', ');
  const more = urls.length > 5 ? ` and ${urls.length - 5} more` : '';
  return `"${file}" is ambiguous: it matches ${urls.length} loaded files (${shown}${more}); give more of the path`;
}

export function pastEnd(line: number, script: Pick<LoadedScript, 'url' | 'lines'>): string | undefined {
  return line > script.lines ? `line ${line} is past the end of ${displayName(script.url)} (${script.lines} lines)` : undefined;
}

/** A file path for file:// URLs (what people recognise), the URL otherwise. */
export function displayName(url: string): string {
  try {
    return url.startsWith('file://') ? fileURLToPath(url) : url;
  } catch {
    return url;
  }
}
