import type { Protocol } from 'devtools-protocol';
import type { AgentEvidence } from '../../backend/protocol/evidence';
import { errorMessage, type Log } from '../diagnosticLog';
import { displayName } from '../engine/breakpointEngine';
import type { InspectorClient } from '../inspectorClient';
import type { PreparedProbe } from '../probe/prepare';
import type { Redactor } from '../redact/rules';
import type { SourceMapRegistry } from '../sourcemap/sourceMaps';
import { collectWhilePaused, type Collected } from './collect';
import { resolveLimits, widest, type Limits } from './limits';
import { fitToBytes } from './fit';
import { serialiseSnapshot } from './serialise';

export type SnapshotEvidenceItem = Extract<AgentEvidence, { kind: 'snapshot' }>;

export interface SnapshotCapturerDeps {
  client: InspectorClient;
  /** Which snapshot probe a breakpoint belongs to. */
  probeForBreakpoint(breakpointId: string): PreparedProbe | undefined;
  /** Resolves when breakpoints being placed now are known to probeForBreakpoint. */
  placementsSettled(): Promise<void>;
  maps: SourceMapRegistry;
  /** The URL of any script, node: internals included (V8 no longer puts it in call frames). */
  urlOf(scriptId: string): string | undefined;
  /** The current redaction rules (they may change while the agent runs). */
  redactor(): Redactor;
  onSnapshot(item: SnapshotEvidenceItem): void;
  log: Log;
}

/**
 * Turns the pauses of snapshot breakpoints into snapshot evidence: read everything in pipelined round trips,
 * resume, and only then serialise (so the program waits for the reads alone). A pause this agent did not ask
 * for (a `debugger;` statement: with our session attached V8 would stop there) is resumed at once: the agent
 * must never leave the program stopped.
 */
export class SnapshotCapturer {
  private warnedForeignPause = false;
  /** Main-thread pause per capture, as measured here (ms), for reports and benches; bounded. */
  readonly pauses: number[] = [];

  constructor(private readonly deps: SnapshotCapturerDeps) {
    deps.client.on('Debugger.paused', (e) => void this.onPaused(e).catch((err) => deps.log(`snapshot failed: ${errorMessage(err)}`)));
  }

  private async onPaused(e: Protocol.Debugger.PausedEvent): Promise<void> {
    const started = performance.now();
    const at = new Date().toISOString();
    let resumed: Promise<void> | undefined;
    const resume = () => (resumed ??= this.resume());
    let read: { probes: PreparedProbe[]; limits: Limits[]; collected: Collected; redactor: Redactor } | undefined;
    try {
      read = await this.read(e, () => void resume());
    } finally {
      await resume(); // whatever happened above, the program goes on
    }
    const pauseMs = performance.now() - started;
    if (!read) return;
    this.recordPause(pauseMs);
    const { probes, limits, collected, redactor } = read;
    const { maps } = this.deps;
    const position = (f: Collected['frames'][number]) => maps.originalPosition(f.scriptId, f.line, f.column) ?? { file: displayName(f.url || `script ${f.scriptId}`), line: f.line, column: f.column };
    probes.forEach((probe, i) => {
      const snapshot = serialiseSnapshot(collected, limits[i]!, probe.watches ?? [], redactor, position);
      const item: SnapshotEvidenceItem = {
        kind: 'snapshot',
        probeId: probe.spec.id,
        at,
        frames: snapshot.frames,
        ...(snapshot.watches.length ? { watches: snapshot.watches } : {}),
        ...(snapshot.truncated ? { truncated: true } : {}),
        pauseMs: Math.round(pauseMs * 1000) / 1000,
      };
      this.deps.onSnapshot(fitToBytes(item, limits[i]!.maxBytes));
    });
  }

  /** Everything the pause's probes need, read while paused; undefined for a pause that is not ours. */
  private async read(e: Protocol.Debugger.PausedEvent, resume: () => void) {
    // several snapshot probes on one line pause once: one read serves them all
    const probes = await this.probesOf(e.hitBreakpoints ?? []);
    if (!probes.length) return void this.noteForeign(e.reason);
    const limits = probes.map((p) => resolveLimits(p.spec.kind === 'snapshot' ? p.spec.limits : undefined));
    const watches = [...new Set(probes.flatMap((p) => p.watches ?? []))];
    const redactor = this.deps.redactor();
    const collected = await collectWhilePaused(this.deps.client, e, watches, widest(limits), (name) => redactor.isSensitiveName(name), this.deps.urlOf, resume);
    return { probes, limits, collected, redactor };
  }

  /** The snapshot probes behind a pause. A breakpoint can hit before setBreakpointByUrl has answered: then wait for it. */
  private async probesOf(breakpointIds: string[]): Promise<PreparedProbe[]> {
    const find = () => breakpointIds.map((id) => this.deps.probeForBreakpoint(id)).filter((p) => p !== undefined);
    const found = find();
    if (found.length === breakpointIds.length) return found;
    await this.deps.placementsSettled();
    return find();
  }

  private noteForeign(reason: string): void {
    if (this.warnedForeignPause) return;
    this.warnedForeignPause = true;
    this.deps.log(`resumed a pause this agent did not cause (reason: ${reason}; a \`debugger;\` statement?): the agent never leaves the program stopped`);
  }

  private async resume(): Promise<void> {
    try {
      await this.deps.client.post('Debugger.resume', {});
    } catch (e) {
      this.deps.log(`resume failed: ${errorMessage(e)}`); // e.g. already resumed by the session closing
    }
  }

  private recordPause(ms: number): void {
    if (this.pauses.length >= 1000) this.pauses.shift();
    this.pauses.push(ms);
  }
}
