import type { Evidence, ProbeStatus, ProbeView, ServiceView } from '../protocol';

/** Human output: one line per fact, stable enough to grep. Machine output is `--json` (one object per line). */
export function formatEvidence(e: Evidence): string {
  if (e.kind === 'gap') return `${e.at} -- ${e.count} event(s) dropped (${e.where})${e.probeId ? ` for ${e.probeId}` : ''} --`;
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
  const what = p.kind === 'log' ? `log "${p.template}"` : p.kind;
  const cond = p.condition ? ` if ${p.condition}` : '';
  return `${p.id}  ${p.selector.service}  ${p.file}:${p.line}  ${what}${cond}  [${summariseStatuses(v.statuses)}] expires ${p.expiresAt}`;
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
