import { errorMessage, type Log } from '../diagnosticLog';
import { buildLogpointCondition } from '../engine/logpointCondition';
import type { ScriptRegistry } from '../engine/scriptRegistry';
import type { LoadedScript } from '../engine/scriptRegistry';
import type { BoundLocation, EngineStatus, ProbeEngine, StatusCallback } from '../engine/types';
import type { InspectorClient } from '../inspectorClient';
import type { PreparedProbe } from '../probe/prepare';
import { SerialQueue } from '../serialQueue';
import { durationEndId, probeOfEndId } from './durationEnd';
import { placeFunctionExits } from './functionExits';

interface Duration {
  probe: PreparedProbe;
  end?: PreparedProbe;
  startStatus?: EngineStatus;
  endStatus?: EngineStatus;
  /** Breakpoints on the enclosing function's return points (no endLine). */
  exits?: string[];
  /** Where the start bound (no endLine): the exits are found from here, again after every edit of its script. */
  exitsFrom?: BoundLocation;
  failed?: boolean;
}

/**
 * Gives duration metrics their second site. With an endLine, the end is a probe of its own (id `…#end`) placed
 * by the same tier as the start, so it is injected wherever the start is; without one, the end is a breakpoint
 * on each return point of the function the start bound in. The probe is bound once both sites are; if either
 * fails, the other is taken out and the probe reports why. Everything else passes straight through.
 * A live edit of the script (any probe injected into or taken out of it) drops V8's breakpoints there, and moves
 * columns on lines that gained a probe statement: the exits are located in the edited source and placed again.
 */
export class DurationSites implements ProbeEngine {
  private inner?: ProbeEngine;
  private readonly durations = new Map<string, Duration>();
  /** Exit placements one at a time: a re-placement after an edit never interleaves with a first placement. */
  private readonly exitQueue = new SerialQueue();
  private readonly stopWatchingEdits: () => void;

  constructor(
    private readonly deps: { client: InspectorClient; scripts: ScriptRegistry; onStatus: StatusCallback; log: Log },
  ) {
    this.stopWatchingEdits = deps.scripts.onEdited((script) => this.onScriptEdited(script));
  }

  attach(inner: ProbeEngine): void {
    this.inner = inner;
  }

  async add(probe: PreparedProbe): Promise<void> {
    const { spec } = probe;
    if (spec.kind !== 'metric' || spec.metric !== 'duration') return this.inner!.add(probe);
    await this.remove(spec.id);
    const end: PreparedProbe | undefined =
      spec.endLine === undefined ? undefined : { spec: { ...spec, id: durationEndId(spec.id), line: spec.endLine }, parts: [''], expressions: [] };
    const d: Duration = { probe, ...(end ? { end } : {}) };
    this.durations.set(spec.id, d);
    await this.inner!.add(probe);
    if (end && this.durations.get(spec.id) === d) await this.inner!.add(end);
  }

  async remove(probeId: string): Promise<void> {
    const d = this.durations.get(probeId);
    if (!d) return this.inner!.remove(probeId);
    this.durations.delete(probeId);
    await this.takeOut(d);
  }

  async dispose(): Promise<void> {
    this.stopWatchingEdits();
    for (const id of [...this.durations.keys()]) await this.remove(id);
    await this.inner?.dispose();
  }

  onInnerStatus(s: EngineStatus): void {
    const parent = probeOfEndId(s.probeId);
    const d = this.durations.get(parent ?? s.probeId);
    if (!d) return this.deps.onStatus(s);
    if (parent) d.endStatus = s;
    else d.startStatus = s;
    if (!parent && s.state === 'bound' && !d.end && !d.exitsFrom) {
      d.exitsFrom = s.location;
      this.inExitQueue(`placing the end of ${d.probe.spec.id}`, () => this.placeExits(d));
    }
    this.report(d);
  }

  /** A live edit dropped every breakpoint in the script: the exits of timers in it go back in, found in the new source. */
  private onScriptEdited(script: LoadedScript): void {
    for (const d of this.durations.values()) {
      if (d.exitsFrom?.url !== script.url) continue;
      this.inExitQueue(`placing the end of ${d.probe.spec.id} again after an edit of ${script.url}`, async () => {
        if (!d.exits) return; // not placed yet (its first placement reads the edited source) or taken out
        const dropped = d.exits;
        d.exits = undefined;
        await this.removeBreakpoints(dropped); // V8 still holds them by URL: the same place could not be set again
        await this.placeExits(d);
      });
    }
  }

  private async placeExits(d: Duration): Promise<void> {
    const { id } = d.probe.spec;
    if (this.durations.get(id) !== d) return; // removed meanwhile
    const location = d.exitsFrom!;
    const script = this.deps.scripts.byUrl(location.url);
    const endId = durationEndId(id);
    let result: Awaited<ReturnType<typeof placeFunctionExits>>;
    try {
      if (!script) throw new Error(`the script ${location.url} is not loaded`);
      const condition = buildLogpointCondition({ spec: { ...d.probe.spec, id: endId }, parts: [''], expressions: [] });
      result = await placeFunctionExits(this.deps.client, script.scriptId, location, endId, condition);
    } catch (e) {
      result = { error: errorMessage(e) };
    }
    if ('breakpointIds' in result) {
      if (this.durations.get(id) !== d) return void (await this.removeBreakpoints(result.breakpointIds)); // removed meanwhile
      d.exits = result.breakpointIds;
      if (d.endStatus?.state === 'bound') return; // placed again after an edit: nothing new to report
      d.endStatus = { probeId: endId, state: 'bound', location, tier: 'breakpoint' };
    } else {
      d.endStatus = { probeId: endId, state: 'error', reason: `the end of the function: ${result.error}`, code: 'no_code' };
    }
    this.report(d);
  }

  private inExitQueue(what: string, task: () => Promise<void>): void {
    void this.exitQueue.run(task).catch((e) => this.deps.log(`${what} failed: ${errorMessage(e)}`));
  }

  /** One status for the two sites: an error from either, bound once both are, pending otherwise. */
  private report(d: Duration): void {
    if (d.failed || this.durations.get(d.probe.spec.id) !== d) return;
    const id = d.probe.spec.id;
    const { startStatus: start, endStatus: end } = d;
    const failed = start?.state === 'error' ? start : end?.state === 'error' ? { ...end, reason: d.end ? `end line ${d.end.spec.line}: ${end.reason}` : end.reason } : undefined;
    if (failed) {
      d.failed = true;
      this.durations.delete(id);
      void this.takeOut(d).catch((e) => this.deps.log(`taking out ${id} failed: ${errorMessage(e)}`));
      return this.deps.onStatus({ ...failed, probeId: id });
    }
    if (start?.state === 'bound' && end?.state === 'bound') return this.deps.onStatus(start);
    const waiting = [start, end].find((s) => s?.state === 'pending');
    if (waiting) this.deps.onStatus({ ...waiting, probeId: id });
  }

  private async takeOut(d: Duration): Promise<void> {
    await this.inner!.remove(d.probe.spec.id);
    if (d.end) await this.inner!.remove(d.end.spec.id);
    if (d.exits) await this.removeBreakpoints(d.exits);
  }

  private async removeBreakpoints(ids: string[]): Promise<void> {
    for (const breakpointId of ids) await this.deps.client.post('Debugger.removeBreakpoint', { breakpointId }).catch(() => undefined);
  }
}
