import type { AgentEvidence } from '../backend/protocol/evidence';
import type { ProbeSpec, ProbeStatus, ProbeStatusCode } from '../backend/protocol/probe';
import type { ArmedProbe, MetricBatch } from './channel';
import { logEvidenceJson, type EvidenceJson } from './evidenceJson';
import type { BudgetEvent } from './hook/cpuBudget';
import { errorMessage, type Log } from './diagnosticLog';
import type { EngineStatus, ProbeEngine } from './engine/types';
import { metricEvidence } from './metrics/metricEvidence';
import { armedProbe, effectiveMaxHits, prepareProbe, type PreparedProbe } from './probe/prepare';
import { blockedReason, type Blocklist } from './redact/blocklist';
import type { Redactor } from './redact/rules';

/** setTimeout's ceiling (~24.8 days); longer expiries re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ProbeManagerDeps {
  engine: ProbeEngine;
  instanceId: string;
  /**
   * Tells the main-thread hook to start accepting a probe's hits; a promise resolves once the hook has it (the
   * probe is placed only then, so `bound` means its hits are counted: see HookArming).
   */
  arm(probe: ArmedProbe): void | Promise<void>;
  disarm(probeId: string): void;
  /** Tells the hook how a probe runs once it is placed (what each execution of its line costs the budget). */
  placed?(probeId: string, tier: 'inject' | 'breakpoint'): void;
  sendStatuses(statuses: ProbeStatus[]): void;
  log: Log;
  now?: () => number;
  /** The current redaction rules: expressions named like secrets are marked when a probe is armed. */
  redactor?: () => Redactor;
  /** V8's Debugger domain, on only while it is needed (see DebuggerSwitch): every engine call runs with it on. */
  debuggerDomain?: { ensureOn(): Promise<void> };
}

interface HeldProbe {
  spec: ProbeSpec;
  /** The spec as JSON: a sync keeps a probe whose spec is unchanged. */
  key: string;
  status: ProbeStatus;
  hits: number;
  hitsReported: number;
  /** Expired or failed: kept (so a re-sync does not revive it) but no longer in the program. */
  ended: boolean;
  /** Why it ended (a probe that ran out of hits stays ended when only its expiry moves). */
  endCode?: ProbeStatusCode;
  expiry?: NodeJS.Timeout;
  /** What is placed (kept to put it back after a CPU budget pause). */
  prepared?: PreparedProbe;
  /** The budget's removals and re-placements, in order; ending or replacing the probe waits for them. */
  cycle: Promise<void>;
  /** Taken out of the program for a budget pause (to be placed again when it resumes). */
  outForBudget?: boolean;
}

/**
 * The probes this instance holds, and their lifecycle: validation, placement through the engine, expiry,
 * maxHits, hit counts, and reconciliation with the relay's desired set. Every status change goes out from here.
 *
 * maxHits is reported as state 'expired' with reason "max hits reached (N)": like a TTL, it is the probe's
 * own limit running out, not something a person removed.
 */
export class ProbeManager {
  private readonly probes = new Map<string, HeldProbe>();
  private readonly now: () => number;
  /** Engine calls under way (they need the Debugger domain even when no probe is held any more). */
  private engineCalls = 0;

  constructor(private readonly deps: ProbeManagerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Whether a probe needs the Debugger domain: an engine call runs, or a probe waits for its file or runs on the
   * breakpoint tier. An injected probe does not (nor one out of the program for a budget pause).
   */
  get needsDebugger(): boolean {
    if (this.engineCalls > 0) return true;
    for (const held of this.probes.values()) {
      if (held.ended || held.outForBudget) continue;
      if (held.status.state !== 'bound' || held.status.tier !== 'inject') return true;
    }
    return false;
  }

  /** One engine call, with the Debugger domain on. */
  private async withEngine(call: () => Promise<void>): Promise<void> {
    this.engineCalls++;
    try {
      await this.deps.debuggerDomain?.ensureOn();
      await call();
    } finally {
      this.engineCalls--;
    }
  }

  /** Status callback for the engine. Late reports about probes that were removed or ended are ignored. */
  onEngineStatus(s: EngineStatus): void {
    const held = this.probes.get(s.probeId);
    if (!held || held.ended) return;
    if (s.state === 'error') return void this.end(held, 'error', s.reason, false, s.code);
    if (s.state === 'bound') this.deps.placed?.(s.probeId, s.tier);
    const code = s.code !== undefined ? { code: s.code } : {};
    this.setStatus(held, s.state === 'bound' ? { state: 'bound', location: s.location, tier: s.tier, ...(s.reason !== undefined ? { reason: s.reason } : {}), ...code } : { state: 'pending', reason: s.reason, ...code });
  }

  async add(spec: ProbeSpec): Promise<void> {
    const key = JSON.stringify(spec);
    const existing = this.probes.get(spec.id);
    if (existing?.key === key) return;
    if (existing && this.extendInPlace(existing, spec, key)) return;
    if (existing) await this.forget(existing);

    const held: HeldProbe = { spec, key, status: this.statusOf(spec.id, { state: 'pending' }, 0), hits: 0, hitsReported: 0, ended: false, cycle: Promise.resolve() };
    this.probes.set(spec.id, held);
    if (Date.parse(spec.expiresAt) <= this.now()) return this.end(held, 'expired', `the probe expired at ${spec.expiresAt}`, false, 'ttl');
    let prepared;
    try {
      prepared = prepareProbe(spec);
    } catch (e) {
      return this.end(held, 'error', errorMessage(e), false, 'invalid_expression');
    }
    held.prepared = prepared;
    this.scheduleExpiry(held);
    await this.deps.arm(armedProbe(prepared, this.deps.redactor?.()));
    if (this.probes.get(spec.id) !== held || held.ended) return; // removed or expired while the hook took it
    try {
      await this.withEngine(() => this.deps.engine.add(prepared));
    } catch (e) {
      await this.end(held, 'error', `could not place the probe: ${errorMessage(e)}`, true, 'placement_failed');
    }
  }

  /**
   * probe.extend: the relay re-sends the probe with only its expiry moved. The probe stays as it is in the program
   * (no re-injection) with its hit count and maxHits budget; only the TTL timer moves. One that already ran out of
   * hits or failed stays ended. False when anything else changed (the caller replaces the probe).
   */
  private extendInPlace(held: HeldProbe, spec: ProbeSpec, key: string): boolean {
    if (withoutExpiry(held.spec) !== withoutExpiry(spec)) return false;
    if (held.ended && held.endCode === 'ttl' && Date.parse(spec.expiresAt) > this.now()) return false; // expired: a new run
    held.spec = spec;
    held.key = key;
    if (held.ended) return true;
    clearTimeout(held.expiry);
    if (Date.parse(spec.expiresAt) <= this.now()) void this.end(held, 'expired', `the probe expired at ${spec.expiresAt}`, true, 'ttl');
    else this.scheduleExpiry(held);
    return true;
  }

  async remove(probeId: string): Promise<void> {
    const held = this.probes.get(probeId);
    if (!held) return;
    await this.forget(held);
    this.setStatus(held, { state: 'removed' });
  }

  /** Makes the held set equal `desired`: adds new probes, removes missing ones, keeps unchanged ones. */
  async sync(desired: ProbeSpec[]): Promise<void> {
    const wanted = new Set(desired.map((p) => p.id));
    for (const id of [...this.probes.keys()]) if (!wanted.has(id)) await this.remove(id);
    for (const spec of desired) await this.add(spec);
    this.deps.sendStatuses(this.statuses()); // a relay that restarted knows nothing about the kept ones
  }

  /** What the hook's CPU budget decided (throttled, resumed, disabled probes). */
  acceptBudget(events: readonly BudgetEvent[]): void {
    for (const event of events) this.onBudget(event);
  }

  /** Turns a rendered hit into evidence (as JSON text) if its probe is still held, counting it and enforcing maxHits. */
  acceptHit(probeId: string, at: number, message: string): EvidenceJson | undefined {
    const held = this.probes.get(probeId);
    if (!held || held.ended) return undefined;
    held.hits++;
    this.checkMaxHits(held);
    return logEvidenceJson(probeId, at, message);
  }

  /** A captured snapshot: counted as a hit (a snapshot stops after one unless its maxHits says otherwise). */
  acceptSnapshot(item: Extract<AgentEvidence, { kind: 'snapshot' }>): AgentEvidence[] {
    const held = this.probes.get(item.probeId);
    if (!held || held.ended) return [];
    held.hits++;
    this.checkMaxHits(held);
    return [item];
  }

  /** Metric windows from the hook: one evidence item per probe still held; their counts are its hits. */
  acceptMetrics(batch: MetricBatch): AgentEvidence[] {
    const evidence: AgentEvidence[] = [];
    for (const window of batch.windows) {
      const held = this.probes.get(window.probeId);
      if (!held || held.ended) continue;
      held.hits += window.count;
      evidence.push(metricEvidence(window));
      this.checkMaxHits(held);
    }
    return evidence;
  }

  /** Whether any metric probe is live (the runtime asks the hook for windows only then). */
  get hasMetrics(): boolean {
    for (const held of this.probes.values()) if (!held.ended && held.spec.kind === 'metric') return true;
    return false;
  }

  /** Whether any logpoint is live (the runtime drains the hit ring only then). */
  get hasLogpoints(): boolean {
    for (const held of this.probes.values()) if (!held.ended && held.spec.kind === 'log') return true;
    return false;
  }

  private checkMaxHits(held: HeldProbe): void {
    const maxHits = effectiveMaxHits(held.spec);
    if (maxHits !== undefined && held.hits >= maxHits) void this.end(held, 'expired', `max hits reached (${maxHits})`, true, 'max_hits');
  }

  /** Reports hit counts that changed since the last report (called periodically). */
  reportHitCounts(): void {
    const changed = [...this.probes.values()].filter((h) => !h.ended && h.hits !== h.hitsReported);
    if (changed.length) this.deps.sendStatuses(changed.map((h) => this.touch(h)));
  }

  /**
   * The blocklist grew (the relay pushed its policy): probes already in the program on a path it now blocks (the
   * file they name, the script they run in or its original source) come out, with the same status as a refusal.
   */
  recheckBlocklist(blocklist: Pick<Blocklist, 'blocked'>): void {
    for (const held of this.probes.values()) {
      if (held.ended) continue;
      const { location } = held.status;
      const blocked = blocklist.blocked(held.spec.file, location?.url, location?.original?.file);
      if (blocked) void this.end(held, 'error', blockedReason(blocked), true, 'blocked');
    }
  }

  statuses(): ProbeStatus[] {
    return [...this.probes.values()].map((h) => this.touch(h));
  }

  async dispose(): Promise<void> {
    for (const held of this.probes.values()) {
      clearTimeout(held.expiry);
      this.deps.disarm(held.spec.id);
    }
    this.probes.clear();
    await this.deps.engine.dispose();
  }

  /**
   * The CPU budget paused, resumed or disabled a probe: the status says so. When the budget says so (`takeOut`: a
   * breakpoint, or an injected probe on a line so hot that even its closed gate costs), the probe leaves the program
   * for the pause (duty cycling: an injected probe's original source comes back, a breakpoint is removed) and is
   * placed again when it resumes; otherwise its gate stays closed in place. Disabled: for good.
   */
  private onBudget(event: BudgetEvent): void {
    const held = this.probes.get(event.probeId);
    if (!held || held.ended) return;
    if (event.action === 'disabled') return void this.end(held, 'error', event.reason, true, 'budget');
    const { location, tier } = held.status;
    // a pause in place turned into a removal repeats its reason: the status already says it
    if (event.action !== 'throttled' || held.status.reason !== event.reason) this.setStatus(held, { state: 'bound', ...(location ? { location } : {}), ...(tier ? { tier } : {}), ...(event.action === 'throttled' ? { reason: event.reason, code: 'budget' as const } : {}) });
    let step: () => Promise<void>;
    if (event.action === 'throttled') {
      if (!event.takeOut) return; // its closed gate costs less than taking it out and putting it back
      held.outForBudget = true;
      step = () => this.withEngine(() => this.deps.engine.remove(held.spec.id));
    } else {
      if (!held.outForBudget) return;
      held.outForBudget = false;
      step = () => this.placeAgain(held);
    }
    held.cycle = held.cycle.then(() => (this.current(held) ? step() : undefined)).catch((e) => this.deps.log(`budget ${event.action} of ${held.spec.id}: ${errorMessage(e)}`));
  }

  /** Puts a probe back after a budget pause; if it was removed or ended meanwhile, takes it out again. */
  private async placeAgain(held: HeldProbe): Promise<void> {
    if (!held.prepared) return;
    try {
      await this.withEngine(() => this.deps.engine.add(held.prepared!));
    } finally {
      if (!this.current(held)) await this.withEngine(() => this.deps.engine.remove(held.spec.id));
    }
  }

  /** Still held and live (not removed, replaced or ended). */
  private current(held: HeldProbe): boolean {
    return this.probes.get(held.spec.id) === held && !held.ended;
  }

  /** Takes a probe out of the program for good (keeping its final status). Never rejects: callers fire and forget. */
  private async end(held: HeldProbe, state: 'expired' | 'error', reason: string, placed = true, code?: ProbeStatusCode): Promise<void> {
    if (held.ended) return;
    held.ended = true;
    if (code) held.endCode = code;
    try {
      clearTimeout(held.expiry);
      this.deps.disarm(held.spec.id);
      this.setStatus(held, { state, reason, ...(code ? { code } : {}) });
      await held.cycle; // a re-placement in flight lands first, then comes out
      if (placed) await this.withEngine(() => this.deps.engine.remove(held.spec.id));
    } catch (e) {
      this.deps.log(`ending ${held.spec.id}: ${errorMessage(e)}`);
    }
  }

  private async forget(held: HeldProbe): Promise<void> {
    this.probes.delete(held.spec.id);
    clearTimeout(held.expiry);
    this.deps.disarm(held.spec.id);
    await held.cycle;
    if (!held.ended) await this.withEngine(() => this.deps.engine.remove(held.spec.id));
  }

  private scheduleExpiry(held: HeldProbe): void {
    const delay = Date.parse(held.spec.expiresAt) - this.now();
    held.expiry = setTimeout(() => {
      if (delay > MAX_TIMER_MS) this.scheduleExpiry(held);
      else void this.end(held, 'expired', `the probe expired at ${held.spec.expiresAt}`, true, 'ttl');
    }, Math.min(Math.max(delay, 0), MAX_TIMER_MS));
  }

  private setStatus(held: HeldProbe, change: Pick<ProbeStatus, 'state' | 'reason' | 'location' | 'tier' | 'code'>): void {
    held.status = this.statusOf(held.spec.id, change, held.hits);
    held.hitsReported = held.hits;
    this.deps.sendStatuses([held.status]);
  }

  /** The held status with the current hit count and time. */
  private touch(held: HeldProbe): ProbeStatus {
    held.hitsReported = held.hits;
    held.status = { ...held.status, hits: held.hits, at: new Date(this.now()).toISOString() };
    return held.status;
  }

  private statusOf(probeId: string, change: Pick<ProbeStatus, 'state' | 'reason' | 'location' | 'tier' | 'code'>, hits: number): ProbeStatus {
    const { state, reason, location, tier, code } = change;
    return {
      probeId,
      instanceId: this.deps.instanceId,
      state,
      ...(reason !== undefined ? { reason: reason.slice(0, 2000) } : {}),
      ...(code !== undefined ? { code } : {}),
      ...(location ? { location } : {}),
      ...(tier ? { tier } : {}),
      hits,
      at: new Date(this.now()).toISOString(),
    };
  }
}

/** A spec as JSON with its expiry left out: what must match for an update to be an extension. */
function withoutExpiry(spec: ProbeSpec): string {
  const { expiresAt: _expiresAt, ...rest } = spec;
  return JSON.stringify(rest);
}
