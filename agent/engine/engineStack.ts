import type { Log } from '../diagnosticLog';
import type { InspectorClient } from '../inspectorClient';
import { DurationSites } from '../metrics/durationEngine';
import type { Blocklist } from '../redact/blocklist';
import type { Redactor } from '../redact/rules';
import { buildSnapshotGate } from '../snapshot/gate';
import { SnapshotCapturer, type SnapshotEvidenceItem } from '../snapshot/snapshotCapturer';
import { LocatingEngine } from '../sourcemap/locatingEngine';
import { Locator } from '../sourcemap/locator';
import { SourceMapRegistry } from '../sourcemap/sourceMaps';
import { readTextFile } from '../sourcemap/versionCheck';
import { BreakpointEngine } from './breakpointEngine';
import type { ScriptRegistry } from './scriptRegistry';
import type { ProbeEngine, StatusCallback } from './types';

export interface EngineStackDeps {
  client: InspectorClient;
  scripts: ScriptRegistry;
  log: Log;
  /** Where the stack's statuses go (the probe manager). */
  onStatus: StatusCallback;
  /**
   * Makes the tier that places every probe (injection, with its own breakpoint fallback); `pausedSnapshots` makes
   * the pausing snapshot engine, which that fallback uses for snapshots (its pauses become evidence here).
   */
  logTier(onStatus: StatusCallback, pausedSnapshots: (onStatus: StatusCallback) => ProbeEngine): ProbeEngine;
  blocklist: Blocklist;
  redactor(): Redactor;
  onSnapshot(item: SnapshotEvidenceItem): void;
  commit?: string;
}

/**
 * The probe engine the manager talks to, outermost first:
 *   DurationSites  – a duration metric's end site (endLine, or the enclosing function's returns)
 *   LocatingEngine – source maps, path matching, blocklist, version check (for every tier alike)
 *   log tier       – every kind injected into the code first (see agent/inject); where that is refused or a
 *                    snapshot wants the paused tier, its fallback: logpoint/metric breakpoints, or a pausing
 *                    snapshot breakpoint whose pauses the SnapshotCapturer turns into evidence.
 */
export function buildEngineStack(deps: EngineStackDeps): { engine: ProbeEngine; maps: SourceMapRegistry; capturer: SnapshotCapturer } {
  const { client, scripts, log } = deps;
  const maps = new SourceMapRegistry(scripts, log);
  const durations = new DurationSites({ client, scripts, onStatus: deps.onStatus, log });
  const locating = new LocatingEngine({
    locator: new Locator(scripts, maps, readTextFile),
    maps,
    scripts,
    client,
    blocklist: deps.blocklist,
    onStatus: (s) => durations.onInnerStatus(s),
    log,
    ...(deps.commit ? { commit: deps.commit } : {}),
  });
  const toLocating: StatusCallback = (s) => locating.onInnerStatus(s);
  let snapshots: BreakpointEngine | undefined;
  const pausedSnapshots = (onStatus: StatusCallback) => (snapshots = new BreakpointEngine(client, scripts, onStatus, log, buildSnapshotGate));
  const logTier = deps.logTier(toLocating, pausedSnapshots);
  const capturer = new SnapshotCapturer({
    client,
    probeForBreakpoint: (id) => snapshots?.probeForBreakpoint(id),
    placementsSettled: () => snapshots?.settled() ?? Promise.resolve(),
    maps,
    urlOf: (scriptId) => scripts.urlOf(scriptId),
    redactor: deps.redactor,
    onSnapshot: deps.onSnapshot,
    log,
  });
  locating.attach(logTier);
  durations.attach(locating);
  return { engine: durations, maps, capturer };
}
