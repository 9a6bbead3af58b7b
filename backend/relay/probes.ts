import { randomBytes } from 'node:crypto';
import { RuntruthError, selectorMatches, type Approval, type InstanceInfo, type ProbeLifecycle, type ProbeSpec } from '../protocol';
import { SYSTEM, type Actor, type AuditLog } from './audit';
import type { ProbeRecord, ProbeStore } from './store-probes';

export type { ProbeRecord } from './store-probes';

/** A proposal nobody decides on within a day lapses (state `expired`): stale requests should not linger. */
export const PROPOSAL_TTL_SECONDS = 24 * 3600;
/** setTimeout cannot wait longer than this; a longer expiry is simply re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type EndReason = 'removed' | 'expired' | 'blocked';

export interface ProbeEvents {
  /** Went live: agents get it. */
  live(probe: ProbeSpec): void;
  /** Stopped being live: agents drop it. */
  ended(probe: ProbeSpec): void;
  /** Any lifecycle change, for clients. */
  changed(record: ProbeRecord): void;
}

/**
 * The open probes (proposed and live), kept in memory — agents ask on every hello, evidence is checked per
 * item — and mirrored to the store. Every transition is audited here, so no caller can forget to.
 */
export class ProbeBook {
  private readonly open = new Map<string, ProbeRecord>();
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      probes: ProbeStore;
      events: ProbeEvents;
      audit: AuditLog;
      log: (line: string) => void;
      now?: () => Date;
    },
  ) {}

  /** Loads the stored open probes and ends the ones that expired while the relay was down. */
  start(): void {
    for (const record of this.deps.probes.open()) this.open.set(record.probe.id, record);
    this.expireDue();
  }

  stop(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }

  newId(): string {
    for (;;) {
      const id = 'p-' + BigInt('0x' + randomBytes(8).toString('hex')).toString(36).padStart(10, '0').slice(-10);
      if (!this.open.has(id) && !this.deps.probes.exists(id)) return id;
    }
  }

  /** A probe that goes live now (a person placed it, or policy auto-approved an AI's). */
  place(probe: ProbeSpec, approval: Approval, actor: Actor): ProbeRecord {
    const record: ProbeRecord = { probe, state: 'live', approval };
    this.deps.probes.add(record);
    this.open.set(probe.id, record);
    const auto = approval.decision === 'auto-approved';
    this.deps.audit.record({ actor, action: auto ? 'probe.auto-approved' : 'probe.created', target: probe.id, details: describe(record) });
    this.deps.log(`probe ${probe.id} ${auto ? 'auto-approved' : 'added'} for ${actor.name} (${actor.origin}) on ${probe.selector.service} at ${probe.file}:${probe.line}`);
    this.went(record);
    return record;
  }

  /** An AI's probe: stored and shown to clients, but not sent to any agent until a person approves it. */
  propose(probe: ProbeSpec, approval: Approval, actor: Actor): ProbeRecord {
    const deadline = new Date(this.now().getTime() + PROPOSAL_TTL_SECONDS * 1000).toISOString();
    const record: ProbeRecord = { probe: { ...probe, expiresAt: deadline }, state: 'proposed', approval };
    this.deps.probes.add(record);
    this.open.set(probe.id, record);
    this.deps.audit.record({ actor, action: 'probe.proposed', target: probe.id, details: describe(record) });
    this.deps.log(`probe ${probe.id} proposed by ${actor.name} (${actor.origin}) on ${probe.selector.service} at ${probe.file}:${probe.line}; waiting for approval`);
    this.deps.events.changed(record);
    this.armExpiry();
    return record;
  }

  /** The proposal goes live; its TTL starts now. `check` re-validates it against today's policy first. */
  approve(probeId: string, actor: Actor, check: (record: ProbeRecord) => ProbeSpec = (r) => r.probe): ProbeRecord {
    const proposal = this.proposal(probeId);
    const now = this.now();
    const checked = check(proposal);
    const approval: Approval = { ...proposal.approval!, decision: 'approved', decidedBy: actor.name, decidedAt: now.toISOString() };
    const record: ProbeRecord = {
      probe: { ...checked, expiresAt: new Date(now.getTime() + approval.ttlSeconds * 1000).toISOString() },
      state: 'live',
      approval,
    };
    this.open.set(probeId, record);
    this.deps.probes.save(record, now);
    this.deps.audit.record({ actor, action: 'probe.approved', target: probeId, details: describe(record) });
    this.deps.log(`probe ${probeId} approved by ${actor.name}`);
    this.went(record);
    return record;
  }

  /** A live probe now ends at `expiresAt` (agents get the new spec); audited with the old and new expiry. */
  extend(probeId: string, expiresAt: string, actor: Actor): ProbeRecord {
    const current = this.open.get(probeId);
    const known = current ?? this.deps.probes.find(probeId);
    if (!known) throw new RuntruthError('not_found', `no probe '${probeId}'`);
    if (current?.state !== 'live') throw new RuntruthError('conflict', `probe ${probeId} is ${known.state}: only a live probe's TTL can be changed`);
    const record: ProbeRecord = { ...current, probe: { ...current.probe, expiresAt } };
    this.open.set(probeId, record);
    this.deps.probes.save(record, this.now());
    this.deps.audit.record({ actor, action: 'probe.extended', target: probeId, details: { from: current.probe.expiresAt, to: expiresAt } });
    this.deps.log(`probe ${probeId} now expires at ${expiresAt} (${actor.name})`);
    this.went(record);
    return record;
  }

  reject(probeId: string, actor: Actor, reason?: string): ProbeRecord {
    const proposal = this.proposal(probeId);
    const now = this.now();
    const approval: Approval = { ...proposal.approval!, decision: 'rejected', decidedBy: actor.name, decidedAt: now.toISOString(), ...(reason ? { reason } : {}) };
    const record: ProbeRecord = { ...proposal, state: 'rejected', approval };
    this.end(record, now);
    this.deps.audit.record({ actor, action: 'probe.rejected', target: probeId, details: { ...(reason ? { reason } : {}), requestedBy: approval.requestedBy } });
    this.deps.log(`probe ${probeId} rejected by ${actor.name}`);
    return record;
  }

  /** @returns whether this call ended it (false: it had already ended). Throws not_found for unknown ids. */
  remove(probeId: string, actor: Actor, why: EndReason = 'removed', details: Record<string, unknown> = {}): boolean {
    const current = this.open.get(probeId);
    if (!current) {
      if (this.deps.probes.exists(probeId)) return false;
      throw new RuntruthError('not_found', `no probe '${probeId}'`);
    }
    const record: ProbeRecord = { ...current, state: why === 'expired' ? 'expired' : 'removed' };
    this.end(record, this.now());
    this.deps.audit.record({ actor, action: `probe.${why}`, target: probeId, details: { was: current.state, ...details } });
    this.deps.log(`probe ${probeId} ${why}${current.state === 'proposed' ? ' (was a proposal)' : ''}`);
    return true;
  }

  /** A live probe (the only kind agents may send evidence for). */
  get(probeId: string): ProbeSpec | undefined {
    const record = this.open.get(probeId);
    return record?.state === 'live' ? record.probe : undefined;
  }

  /** An open probe, proposed or live. */
  record(probeId: string): ProbeRecord | undefined {
    return this.open.get(probeId);
  }

  list(service?: string): ProbeRecord[] {
    const all = [...this.open.values()];
    return service === undefined ? all : all.filter((r) => r.probe.selector.service === service);
  }

  forInstance(instance: InstanceInfo): ProbeSpec[] {
    return [...this.open.values()].filter((r) => r.state === 'live' && selectorMatches(r.probe.selector, instance)).map((r) => r.probe);
  }

  count(state: ProbeLifecycle): number {
    let n = 0;
    for (const r of this.open.values()) if (r.state === state) n++;
    return n;
  }

  private proposal(probeId: string): ProbeRecord {
    const record = this.open.get(probeId);
    if (record?.state === 'proposed') return record;
    const known = record ?? this.deps.probes.find(probeId);
    if (!known) throw new RuntruthError('not_found', `no probe '${probeId}'`);
    throw new RuntruthError('conflict', `probe ${probeId} is ${known.state}, not a proposal waiting for a decision`);
  }

  private went(record: ProbeRecord): void {
    this.deps.events.live(record.probe);
    this.deps.events.changed(record);
    this.armExpiry();
  }

  private end(record: ProbeRecord, now: Date): void {
    const wasLive = this.open.get(record.probe.id)?.state === 'live';
    this.open.delete(record.probe.id);
    this.deps.probes.save(record, now);
    if (wasLive) this.deps.events.ended(record.probe);
    this.deps.events.changed(record);
    this.armExpiry();
  }

  private expireDue(): void {
    const now = this.now().getTime();
    for (const record of [...this.open.values()]) {
      if (Date.parse(record.probe.expiresAt) <= now) this.remove(record.probe.id, SYSTEM, 'expired');
    }
    this.armExpiry();
  }

  /** One timer for the soonest expiry (of a probe or a proposal), re-armed whenever the set changes. */
  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    let soonest = Infinity;
    for (const r of this.open.values()) soonest = Math.min(soonest, Date.parse(r.probe.expiresAt));
    if (soonest === Infinity) return;
    const delay = Math.min(Math.max(soonest - this.now().getTime(), 0), MAX_TIMER_MS);
    this.expiryTimer = setTimeout(() => this.expireDue(), delay);
    this.expiryTimer.unref();
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/** What the audit log keeps about a probe: enough to know what it would read, and where. */
function describe(record: ProbeRecord): Record<string, unknown> {
  const { id: _id, createdAt: _c, createdBy: _b, ...what } = record.probe;
  return { ...what, state: record.state, ...(record.approval ? { approval: record.approval } : {}) };
}
