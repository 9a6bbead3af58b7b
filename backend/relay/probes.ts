import { randomBytes } from 'node:crypto';
import { RuntruthError, selectorMatches, type InstanceInfo, type NewProbe, type ProbeSpec } from '../protocol';
import type { ProbeStore } from './store-probes';
import type { RegistryStore } from './store-registry';

export const DEFAULT_TTL_SECONDS = 3600;
export const MAX_TTL_SECONDS = 7 * 24 * 3600;
/** setTimeout cannot wait longer than this; a longer expiry is simply re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ProbeEvents {
  added(probe: ProbeSpec): void;
  removed(probe: ProbeSpec, why: 'removed' | 'expired'): void;
}

/**
 * The live probes: kept in memory (agents ask on every hello, evidence is checked per item) and mirrored
 * to the store. Removal — by request or by expiry — is announced through `events` so agents drop the probe.
 */
export class ProbeBook {
  private readonly live = new Map<string, ProbeSpec>();
  private expiryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      probes: ProbeStore;
      registry: RegistryStore;
      events: ProbeEvents;
      log: (line: string) => void;
      now?: () => Date;
    },
  ) {}

  /** Loads the stored live probes and removes the ones that expired while the relay was down. */
  start(): void {
    for (const probe of this.deps.probes.live()) this.live.set(probe.id, probe);
    this.expireDue();
  }

  stop(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }

  add(request: NewProbe, opts: { createdBy: string; allowPending?: boolean }): ProbeSpec {
    const { service } = request.selector;
    if (!opts.allowPending && !this.deps.registry.hasService(service)) {
      const known = this.deps.registry.serviceNamesKnown();
      throw new RuntruthError(
        'no_such_service',
        `no such service '${service}' (known: ${known.length ? known.join(', ') : 'none yet'}); pass allowPending to place it before the service connects`,
        { known },
      );
    }
    const ttl = request.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    if (ttl > MAX_TTL_SECONDS) throw new RuntruthError('invalid_probe', `ttlSeconds ${ttl} exceeds the relay's maximum of ${MAX_TTL_SECONDS} (7 days)`);
    const now = this.now();
    const { ttlSeconds: _ttl, ...spec } = request;
    const probe: ProbeSpec = {
      ...spec,
      id: this.newId(),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
      createdBy: opts.createdBy,
    };
    this.deps.probes.add(probe);
    this.live.set(probe.id, probe);
    this.deps.log(`probe ${probe.id} added by ${opts.createdBy} for ${service} at ${probe.file}:${probe.line}`);
    this.deps.events.added(probe);
    this.armExpiry();
    return probe;
  }

  /** @returns whether this call removed it (false: it was already removed). Throws not_found for unknown ids. */
  remove(probeId: string, why: 'removed' | 'expired' = 'removed'): boolean {
    const probe = this.live.get(probeId);
    if (!probe) {
      if (this.deps.probes.exists(probeId)) return false;
      throw new RuntruthError('not_found', `no probe '${probeId}'`);
    }
    this.live.delete(probeId);
    this.deps.probes.markRemoved(probeId, this.now());
    this.deps.log(`probe ${probeId} ${why}`);
    this.deps.events.removed(probe, why);
    this.armExpiry();
    return true;
  }

  get(probeId: string): ProbeSpec | undefined {
    return this.live.get(probeId);
  }

  list(service?: string): ProbeSpec[] {
    const all = [...this.live.values()];
    return service === undefined ? all : all.filter((p) => p.selector.service === service);
  }

  forInstance(instance: InstanceInfo): ProbeSpec[] {
    return [...this.live.values()].filter((p) => selectorMatches(p.selector, instance));
  }

  private expireDue(): void {
    const now = this.now().getTime();
    for (const probe of [...this.live.values()]) {
      if (Date.parse(probe.expiresAt) <= now) this.remove(probe.id, 'expired');
    }
    this.armExpiry();
  }

  /** One timer for the soonest expiry, re-armed whenever the set changes. */
  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    let soonest = Infinity;
    for (const p of this.live.values()) soonest = Math.min(soonest, Date.parse(p.expiresAt));
    if (soonest === Infinity) return;
    const delay = Math.min(Math.max(soonest - this.now().getTime(), 0), MAX_TIMER_MS);
    this.expiryTimer = setTimeout(() => this.expireDue(), delay);
    this.expiryTimer.unref();
  }

  private newId(): string {
    for (;;) {
      const id = 'p-' + BigInt('0x' + randomBytes(8).toString('hex')).toString(36).padStart(10, '0').slice(-10);
      if (!this.live.has(id) && !this.deps.probes.exists(id)) return id;
    }
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
