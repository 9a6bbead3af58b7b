import type { AuditLog } from './audit';
import type { RelayStats } from './stats';

export interface AuthFailureLimits {
  /** Failures audited one by one per source address per window; beyond, they are only counted. */
  perSource: number;
  /** Failures audited one by one per window from all sources together (many addresses cannot add up to a flood). */
  total: number;
  windowMs: number;
  /** Sources tracked per window; the rest are counted together. */
  maxSources: number;
}

export const AUTH_FAILURE_LIMITS: Readonly<AuthFailureLimits> = { perSource: 10, total: 100, windowMs: 60_000, maxSources: 10_000 };
const OTHER_SOURCES = '(other sources)';
const SUMMARY_TOP = 20;

interface Window {
  startedAt: number;
  audited: number;
  bySource: Map<string, { audited: number; suppressed: number }>;
  suppressed: number;
}

/**
 * Audits failed authentication without letting a flood grow the audit log without bound: per window (a minute),
 * the first few failures of each source and the first N overall are recorded one by one; the rest are counted
 * and recorded as ONE summary entry when the window closes (by timer, so it is written even if the flood stops).
 */
export class AuthFailureAudit {
  private window: Window | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly limits: AuthFailureLimits;

  constructor(
    private readonly deps: { audit: AuditLog; stats: RelayStats; now?: () => number },
    limits: Partial<AuthFailureLimits> = {},
  ) {
    this.limits = { ...AUTH_FAILURE_LIMITS, ...limits };
  }

  /** `remote` is the peer as the connection names it (`addr:port`, or `client via proxy`): the source is its address. */
  record(remote: string, details: Record<string, unknown>): void {
    this.deps.stats.authFailures++;
    const now = this.now();
    if (this.window && now >= this.window.startedAt + this.limits.windowMs) this.flush();
    const window = (this.window ??= { startedAt: now, audited: 0, bySource: new Map(), suppressed: 0 });
    const source = sourceOf(remote);
    const key = window.bySource.has(source) || window.bySource.size < this.limits.maxSources ? source : OTHER_SOURCES;
    const counts = window.bySource.get(key) ?? { audited: 0, suppressed: 0 };
    window.bySource.set(key, counts);
    if (counts.audited < this.limits.perSource && window.audited < this.limits.total) {
      counts.audited++;
      window.audited++;
      this.deps.audit.record({ actor: { name: remote, origin: 'unknown' }, action: 'auth.failed', details });
      return;
    }
    counts.suppressed++;
    window.suppressed++;
    this.deps.stats.authFailuresUnaudited++;
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), Math.max(0, window.startedAt + this.limits.windowMs - now));
      this.timer.unref();
    }
  }

  /** Closes the current window: one summary entry for what was only counted. Also called at shutdown. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const window = this.window;
    this.window = undefined;
    if (!window || window.suppressed === 0) return;
    const noisy = [...window.bySource].filter(([, c]) => c.suppressed > 0).sort((a, b) => b[1].suppressed - a[1].suppressed);
    this.deps.audit.record({
      actor: { name: 'relay', origin: 'system' },
      action: 'auth.failed.summary',
      details: {
        from: new Date(window.startedAt).toISOString(),
        to: new Date(Math.min(this.now(), window.startedAt + this.limits.windowMs)).toISOString(),
        unaudited: window.suppressed,
        sources: noisy.slice(0, SUMMARY_TOP).map(([source, c]) => ({ source, count: c.suppressed })),
        ...(noisy.length > SUMMARY_TOP ? { otherSources: noisy.length - SUMMARY_TOP } : {}),
      },
    });
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }
}

/** The address part of a peer name: `1.2.3.4:5678` → `1.2.3.4`, `::1:5678` → `::1`, `1.2.3.4 via 10.0.0.1:99` → `1.2.3.4`. */
export function sourceOf(remote: string): string {
  const via = remote.indexOf(' via ');
  return via >= 0 ? remote.slice(0, via) : remote.replace(/:\d+$/, '');
}
