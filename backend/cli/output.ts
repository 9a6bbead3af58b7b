import type { AuditEntry, Evidence, PolicyView, ProbeStatus, ProbeView, ServiceView, TokenView } from '../protocol';
import { formatMetric, formatSnapshot, probeWhat } from './evidenceText';

/** Human output: one line per fact, stable enough to grep. Machine output is `--json` (one object per line). */
export function formatEvidence(e: Evidence): string {
  if (e.kind === 'gap') return `${e.at} -- ${e.count} event(s) dropped (${e.where})${e.probeId ? ` for ${e.probeId}` : ''} --`;
  if (e.kind === 'snapshot') return formatSnapshot(e);
  if (e.kind === 'metric') return formatMetric(e);
  return `${e.at} ${e.service}/${e.instance} ${e.probeId}  ${e.message}`;
}

export function summariseStatuses(statuses: ProbeStatus[]): string {
  if (!statuses.length) return 'no instance has reported yet';
  const by = new Map<string, number>();
  for (const s of statuses) by.set(s.state, (by.get(s.state) ?? 0) + 1);
  return [...by].map(([state, n]) => `${state} on ${n}`).join(', ');
}

export function formatProbe(v: ProbeView): string {
  const p = v.probe;
  const what = probeWhat(p);
  const cond = p.condition ? ` if ${p.condition}` : '';
  if (v.state === 'proposed') {
    return `${p.id}  ${p.selector.service}  ${p.file}:${p.line}  ${what}${cond}  [PROPOSED by ${v.approval?.requestedBy ?? p.createdBy ?? '?'} (${v.approval?.origin ?? 'ai'}); approve before ${p.expiresAt}]`;
  }
  const decided = v.approval?.decision ? ` ${v.approval.decision} by ${v.approval.decidedBy}` : '';
  const state = v.state && v.state !== 'live' ? `${v.state.toUpperCase()} ` : '';
  return `${p.id}  ${p.selector.service}  ${p.file}:${p.line}  ${what}${cond}  [${state}${summariseStatuses(v.statuses)}${decided}] expires ${p.expiresAt}`;
}

export function formatToken(t: TokenView): string {
  const scope = [t.scope?.services ? `services=${t.scope.services.join(',')}` : '', t.scope?.labels ? `labels=${labelList(t.scope.labels)}` : ''].filter(Boolean).join(' ');
  const when = t.state === 'revoked' ? `revoked ${t.revokedAt}${t.revokedBy ? ` by ${t.revokedBy}` : ''}` : t.expiresAt ? `${t.state === 'expired' ? 'expired' : 'expires'} ${t.expiresAt}` : 'no expiry';
  return `${t.id}  ${t.name}  ${t.role}${t.ai ? ' (ai)' : ''}  ${t.state}  ${scope || 'all services'}  ${when}${t.lastUsedAt ? `  last used ${t.lastUsedAt}` : ''}`;
}

export function formatAuditEntry(e: AuditEntry): string {
  const who = `${e.actor}${e.role ? ` (${e.role}, ${e.origin})` : ` (${e.origin})`}`;
  const details = Object.keys(e.details).length ? `  ${JSON.stringify(e.details)}` : '';
  return `#${e.seq} ${e.at}  ${who}  ${e.action}${e.target ? ` ${e.target}` : ''}${details}`;
}

export function formatPolicy(v: PolicyView): string[] {
  const p = v.policy;
  return [
    `max ttl          ${p.maxTtlSeconds}s`,
    `max hits         ${p.maxHits ?? 'no limit'}`,
    `max rate         ${p.maxPerSecond === undefined ? 'no limit' : `${p.maxPerSecond}/s`}`,
    `allowed kinds    operator: ${p.allowedKinds.operator.join(',') || 'none'}; admin: ${p.allowedKinds.admin.join(',') || 'none'}`,
    `file blocklist   ${p.fileBlocklist.join('  ') || 'none'}`,
    `auto-approve     ${p.autoApprove.map((r) => `${r.service}:${r.kinds.join(',')}`).join('  ') || 'none (every AI proposal needs a person)'}`,
    `redaction        ${p.redaction.join('  ') || 'none'}`,
    v.updatedAt ? `updated ${v.updatedAt} by ${v.updatedBy}` : 'defaults (never set)',
  ];
}

function labelList(labels: Record<string, string>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
}

export function formatServices(services: ServiceView[]): string[] {
  const lines: string[] = [];
  for (const s of services) {
    const live = s.instances.filter((i) => i.connected).length;
    lines.push(`${s.service}  ${live}/${s.instances.length} connected`);
    for (const i of s.instances) {
      const labels = Object.entries(i.labels).map(([k, v]) => `${k}=${v}`).join(',');
      lines.push(
        `  ${i.connected ? '●' : '○'} ${i.instanceId}  pid ${i.pid}  node ${i.runtime.version}  ${i.mode}${i.commit ? `  commit ${i.commit.slice(0, 12)}` : ''}${labels ? `  ${labels}` : ''}`,
      );
    }
  }
  return lines;
}
