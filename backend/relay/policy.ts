import { Policy, RuntruthError, type NewProbe, type PolicyPatch, type PolicyView, type ProbeKind, type Role } from '../protocol';
import type { Actor, AuditLog } from './audit';
import { globToRegExp, normalizePath } from './glob';
import type { PolicyStore } from './store-policy';

export const DEFAULT_TTL_SECONDS = 3600;

/** What a probe request turns into once the policy's ceilings are applied. */
export type CheckedProbe = NewProbe & { ttlSeconds: number };

/**
 * The relay's governance limits, held in memory (checked on every probe) and persisted on change.
 * Every refusal names the limit and how to comply.
 */
export class PolicyBook {
  private current: PolicyView;
  private blocklist: { glob: string; re: RegExp }[] = [];
  private readonly listeners = new Set<(policy: Policy) => void>();

  constructor(private readonly deps: { store: PolicyStore; audit: AuditLog; now?: () => Date }) {
    this.current = deps.store.load();
    this.compile();
  }

  view(): PolicyView {
    return this.current;
  }

  get policy(): Policy {
    return this.current.policy;
  }

  /** Calls `listener` with the new policy after every change (the agent hub pushes redaction and blocklist). */
  onChange(listener: (policy: Policy) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(patch: PolicyPatch, actor: Actor, clear: readonly ('maxHits' | 'maxPerSecond')[] = []): PolicyView {
    const before = this.current.policy;
    const next: Record<string, unknown> = { ...before, ...patch };
    for (const key of clear) delete next[key];
    const parsed = Policy.safeParse(next);
    if (!parsed.success) throw new RuntruthError('bad_message', `invalid policy: ${parsed.error.issues[0]?.message}`);
    const now = this.deps.now?.() ?? new Date();
    this.deps.store.save(parsed.data, actor.name, now);
    this.current = { policy: parsed.data, updatedAt: now.toISOString(), updatedBy: actor.name };
    this.compile();
    const changed = [...Object.keys(patch), ...clear].filter((k) => JSON.stringify(before[k as keyof Policy]) !== JSON.stringify(parsed.data[k as keyof Policy]));
    this.deps.audit.record({
      actor,
      action: 'policy.changed',
      details: { changed, before: pick(before, changed), after: pick(parsed.data, changed) },
    });
    for (const listener of this.listeners) listener(parsed.data);
    return this.current;
  }

  /** Applies ceilings and refuses what no ceiling can fix. `role` is the placer's (proposer's or approver's). */
  checkProbe(probe: NewProbe, role: Role): CheckedProbe {
    const p = this.policy;
    const allowed = role === 'viewer' ? [] : p.allowedKinds[role];
    if (!allowed.includes(probe.kind)) {
      throw violation(`the policy does not let ${role}s place '${probe.kind}' probes (allowed: ${allowed.join(', ') || 'none'})`);
    }
    const blocked = this.blockedBy(probe.file);
    if (blocked) throw violation(`probes on '${probe.file}' are blocked by the policy (pattern '${blocked}')`);
    const ttlSeconds = probe.ttlSeconds ?? Math.min(DEFAULT_TTL_SECONDS, p.maxTtlSeconds);
    if (ttlSeconds > p.maxTtlSeconds) throw violation(`ttlSeconds ${ttlSeconds} exceeds the policy maximum of ${p.maxTtlSeconds} (${human(p.maxTtlSeconds)})`);
    if (p.maxHits !== undefined && probe.maxHits !== undefined && probe.maxHits > p.maxHits) {
      throw violation(`maxHits ${probe.maxHits} exceeds the policy maximum of ${p.maxHits}`);
    }
    if (p.maxPerSecond !== undefined && probe.maxPerSecond !== undefined && probe.maxPerSecond > p.maxPerSecond) {
      throw violation(`maxPerSecond ${probe.maxPerSecond} exceeds the policy maximum of ${p.maxPerSecond}/s`);
    }
    // a snapshot without maxHits takes one hit (the agent's default), below any ceiling: leave it to the agent
    const fillHits = p.maxHits !== undefined && probe.maxHits === undefined && probe.kind !== 'snapshot';
    return {
      ...probe,
      ttlSeconds,
      ...(fillHits ? { maxHits: p.maxHits } : {}),
      ...(p.maxPerSecond !== undefined && probe.maxPerSecond === undefined ? { maxPerSecond: p.maxPerSecond } : {}),
    };
  }

  /** The blocklist pattern matching a file path or script URL, if any. */
  blockedBy(file: string): string | undefined {
    const path = normalizePath(file);
    return this.blocklist.find((b) => b.re.test(path))?.glob;
  }

  /** Whether an AI proposal of this kind for this service may go live without a person. */
  autoApproves(service: string, kind: ProbeKind): boolean {
    return this.policy.autoApprove.some((rule) => (rule.service === '*' || rule.service === service) && rule.kinds.includes(kind));
  }

  private compile(): void {
    this.blocklist = this.policy.fileBlocklist.map((glob) => ({ glob, re: globToRegExp(normalizePath(glob)) }));
  }
}

function violation(message: string): RuntruthError {
  return new RuntruthError('policy_violation', message);
}

function pick(policy: Policy, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, policy[k as keyof Policy]]));
}

function human(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
