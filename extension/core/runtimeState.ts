import type { Evidence, InstanceView, ProbeSpec, ProbeStatus, ProbeView, ServiceView } from '../../backend/protocol';
import { Emitter } from './emitter';
import { EvidenceLog } from './evidenceLog';
import type { EditorLine } from './positions';

/** Where this window placed a probe: the document, its line there, and the text's hash at that moment. */
export interface Placement {
  documentUri: string;
  line: EditorLine;
  contentHash: string;
}

export interface TrackedProbe {
  spec: ProbeSpec;
  statuses: ProbeStatus[];
  /** The relay dropped it when its TTL ran out; kept so editors can show it as expired until dismissed. */
  expired: boolean;
  /** Proposed by an AI assistant and waiting for a person's approval (relays with approvals say so). */
  proposed: boolean;
  placement?: Placement;
}

/** What changed, so each surface can skip work that does not concern it. */
export interface StateChange {
  services?: true;
  /** Probe ids whose spec, statuses or existence changed. */
  probes?: string[];
  /** Newly arrived evidence, in order. */
  evidence?: Evidence[];
}

/**
 * The extension's picture of the runtime: services, live probes and recent evidence, fed by the relay sync and
 * read by every surface. It never talks to the network itself.
 */
export class RuntimeState {
  private servicesList: ServiceView[] = [];
  private readonly tracked = new Map<string, TrackedProbe>();
  /** Statuses pushed for a probe before we knew it (they can beat the probe.add reply); applied when it arrives. */
  private readonly early = new Map<string, ProbeStatus[]>();
  readonly evidence = new EvidenceLog();
  private readonly changes = new Emitter<StateChange>();
  readonly onDidChange = this.changes.event;

  constructor(private readonly now: () => number = Date.now) {}

  services(): readonly ServiceView[] {
    return this.servicesList;
  }

  probes(): TrackedProbe[] {
    return [...this.tracked.values()];
  }

  probe(probeId: string): TrackedProbe | undefined {
    return this.tracked.get(probeId);
  }

  liveAgents(): number {
    return this.servicesList.reduce((n, s) => n + s.instances.filter((i) => i.connected).length, 0);
  }

  setServices(services: ServiceView[]): void {
    if (JSON.stringify(services) === JSON.stringify(this.servicesList)) return; // polled: only real changes notify
    this.servicesList = services;
    this.changes.fire({ services: true });
  }

  /** One instance connected or disconnected (pushed by the relay): updated in place, without waiting for a poll. */
  applyInstance(service: string, instance: InstanceView): void {
    const existing = this.servicesList.find((s) => s.service === service);
    const instances = existing ? [...existing.instances.filter((i) => i.instanceId !== instance.instanceId), instance].sort((a, b) => a.instanceId.localeCompare(b.instanceId)) : [instance];
    const next = existing ? this.servicesList.map((s) => (s === existing ? { service, instances } : s)) : [...this.servicesList, { service, instances }];
    this.setServices(next);
  }

  /** A pushed lifecycle change: live and proposed probes are kept up to date, ended ones leave (or show expired). */
  applyProbeState(view: ProbeView): void {
    if (view.state === 'removed' || view.state === 'rejected') return this.removeProbe(view.probe.id);
    if (view.state === 'expired' && !this.tracked.has(view.probe.id)) return;
    this.upsertProbe(view);
  }

  /**
   * Replaces the live set with the relay's list. A probe that vanished after its expiry time is kept as expired;
   * one that vanished earlier was removed elsewhere (CLI, another window) and is dropped.
   */
  setProbes(views: ProbeView[]): void {
    const changed: string[] = [];
    const live = new Set(views.map((v) => v.probe.id));
    for (const [id, probe] of this.tracked) {
      if (live.has(id) || probe.expired) continue;
      if (Date.parse(probe.spec.expiresAt) <= this.now() + 1000) probe.expired = true;
      else this.tracked.delete(id);
      changed.push(id);
    }
    for (const view of views) if (this.upsert(view)) changed.push(view.probe.id);
    if (changed.length) this.changes.fire({ probes: changed });
  }

  /** Adds or refreshes one probe (e.g. the reply to probe.add), keeping any placement already recorded. */
  upsertProbe(view: ProbeView, placement?: Placement): void {
    const changed = this.upsert(view);
    const probe = this.tracked.get(view.probe.id)!;
    if (placement) probe.placement = placement;
    if (changed || placement) this.changes.fire({ probes: [view.probe.id] });
  }

  setStatuses(probeId: string, statuses: ProbeStatus[]): void {
    const probe = this.tracked.get(probeId);
    if (!probe) {
      this.early.set(probeId, statuses);
      if (this.early.size > 100) this.early.delete(this.early.keys().next().value!); // probes another client placed
      return;
    }
    probe.statuses = statuses;
    this.changes.fire({ probes: [probeId] });
  }

  /** Forgets a probe (removed, or an expired one the user dismissed). */
  removeProbe(probeId: string): void {
    if (!this.tracked.delete(probeId)) return;
    this.evidence.forget(probeId);
    this.changes.fire({ probes: [probeId] });
  }

  addEvidence(items: readonly Evidence[]): void {
    const fresh = this.evidence.add(items);
    if (fresh.length) this.changes.fire({ evidence: fresh });
  }

  dispose(): void {
    this.changes.dispose();
  }

  private upsert(view: ProbeView): boolean {
    const existing = this.tracked.get(view.probe.id);
    const early = this.early.get(view.probe.id);
    this.early.delete(view.probe.id);
    if (early && !view.statuses.length) view = { ...view, statuses: early };
    if (existing && existing.expired === (view.state === 'expired') && existing.proposed === (view.state === 'proposed') && JSON.stringify([existing.spec, existing.statuses]) === JSON.stringify([view.probe, view.statuses])) return false;
    // probe.add answers before any agent reports: keep statuses we already heard over an empty list
    const statuses = view.statuses.length || !existing ? view.statuses : existing.statuses;
    this.tracked.set(view.probe.id, {
      spec: view.probe,
      statuses,
      expired: view.state === 'expired',
      proposed: view.state === 'proposed',
      ...(existing?.placement ? { placement: existing.placement } : {}),
    });
    return true;
  }
}
