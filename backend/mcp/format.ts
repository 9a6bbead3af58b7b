import type { CapturedValue, Evidence, ProbeStatus, ProbeView, ServiceView, SnapshotEvidence } from '../protocol';
import { formatMetric, probeWhat, renderCaptured } from '../cli/evidenceText';

/**
 * Tool output is read by a model: plain lines, the facts first, nothing repeated, and bounded — a tool answer
 * that floods the context window is worse than one that says what it left out and how to get more.
 */
export const LIMITS = {
  /** Characters in one tool answer unless the caller asks for fewer (get_evidence takes maxChars). */
  answerChars: 8000,
  /** Frames listed per snapshot; locals are shown for the top `frameLocals` of them. */
  snapshotFrames: 8,
  frameLocals: 2,
  localsPerFrame: 12,
  valueChars: 160,
} as const;

export function servicesText(services: ServiceView[]): string {
  if (!services.length) return 'No services have connected to the relay yet (start one with the Runtruth agent, or attach to a running process).';
  const lines: string[] = [];
  for (const s of services) {
    const connected = s.instances.filter((i) => i.connected).length;
    lines.push(`service ${s.service}: ${connected} of ${s.instances.length} instance(s) connected`);
    for (const i of s.instances) {
      const labels = Object.entries(i.labels).map(([k, v]) => `${k}=${v}`).join(',');
      lines.push(
        `  - ${i.instanceId} ${i.connected ? 'connected' : `disconnected (last seen ${i.lastSeenAt})`}; commit ${i.commit ?? 'unknown'}; started ${i.startedAt}; node ${i.runtime.version}; pid ${i.pid} on ${i.host}${labels ? `; labels ${labels}` : ''}`,
      );
    }
  }
  return bounded(lines);
}

export function probeLine(v: ProbeView): string {
  const p = v.probe;
  const cond = p.condition ? ` if ${p.condition}` : '';
  const state = v.state ?? 'live';
  const who = v.approval ? `; ${v.approval.origin === 'ai' ? 'proposed' : 'placed'} by ${v.approval.requestedBy}` : '';
  const hits = v.statuses.reduce((n, s) => n + (s.hits ?? 0), 0);
  const held = state === 'live' ? `; ${statusSummary(v.statuses)}${hits ? `; ${hits} hit(s)` : ''}` : '';
  return `${p.id} [${state}] ${p.selector.service} ${p.file}:${p.line} ${probeWhat(p)}${cond}${who}${held}; expires ${p.expiresAt}`;
}

export function probesText(views: ProbeView[]): string {
  if (!views.length) return 'No open probes (proposed or live).';
  return bounded(views.map(probeLine));
}

/** A proposal or probe in full: lifecycle, decision, and how each instance holds it (with the reason when it cannot). */
export function statusText(v: ProbeView): string {
  const a = v.approval;
  const lines = [probeLine(v)];
  if (v.state === 'proposed') lines.push('Waiting for a person to approve it (VS Code Runtruth panel, or `runtruth probe approve ' + v.probe.id + '`). Nothing runs in the service until then.');
  if (a?.decision) lines.push(`decision: ${a.decision} by ${a.decidedBy ?? '?'} at ${a.decidedAt ?? '?'}${a.reason ? ` — reason: ${a.reason}` : ''}`);
  if (v.state === 'live' && !v.statuses.length) lines.push('No instance has reported on it yet.');
  for (const s of v.statuses) lines.push(`  instance ${s.instanceId}: ${instanceStatus(s)}`);
  if (v.state === 'live' && v.statuses.some((s) => s.state === 'bound')) lines.push(`Read what it captured with get_evidence {"probeId":"${v.probe.id}"}.`);
  return bounded(lines);
}

function instanceStatus(s: ProbeStatus): string {
  const where = s.location ? ` at ${s.location.original ? `${s.location.original.file}:${s.location.original.line}` : `${s.location.url}:${s.location.line}`}` : '';
  const why = s.code || s.reason ? ` (${[s.code, s.reason].filter(Boolean).join(': ')})` : '';
  return `${s.state}${where}${why}${s.hits !== undefined ? `; ${s.hits} hit(s)` : ''}`;
}

function statusSummary(statuses: ProbeStatus[]): string {
  if (!statuses.length) return 'no instance has reported yet';
  const by = new Map<string, number>();
  for (const s of statuses) by.set(s.state, (by.get(s.state) ?? 0) + 1);
  return [...by].map(([state, n]) => `${state} on ${n}`).join(', ');
}

/** One evidence item, compact: a log is one line, a metric window one line, a snapshot a short tree. */
export function evidenceText(e: Evidence): string {
  if (e.kind === 'gap') return `-- ${e.count} item(s) dropped (${e.where})${e.probeId ? ` for ${e.probeId}` : ''} --`;
  const id = `#${e.id}`;
  if (e.kind === 'log') return `${id} ${e.at} ${e.instance} ${e.message}`;
  if (e.kind === 'metric') return `${id} ${formatMetric(e)}`;
  return `${id} ${snapshotTree(e)}`;
}

function snapshotTree(e: SnapshotEvidence): string {
  const lines = [`${e.at} ${e.instance} snapshot${e.truncated ? ' (truncated)' : ''}`];
  e.frames.slice(0, LIMITS.snapshotFrames).forEach((f, i) => {
    lines.push(`  #${i} ${f.function || '(anonymous)'} ${f.file}:${f.line}`);
    if (i >= LIMITS.frameLocals) return;
    const locals = f.locals ?? [];
    for (const v of locals.slice(0, LIMITS.localsPerFrame)) lines.push(`      ${v.name ?? '?'}: ${valueText(v)}`);
    if (locals.length > LIMITS.localsPerFrame) lines.push(`      … ${locals.length - LIMITS.localsPerFrame} more local(s)`);
  });
  if (e.frames.length > LIMITS.snapshotFrames) lines.push(`  … ${e.frames.length - LIMITS.snapshotFrames} more frame(s)`);
  for (const w of e.watches ?? []) lines.push(`  watch ${w.expression} = ${w.value ? valueText(w.value) : `<${w.error ?? 'no value'}>`}`);
  return lines.join('\n');
}

function valueText(v: CapturedValue): string {
  const type = v.children !== undefined || v.value === undefined ? '' : ` (${v.type})`;
  return renderCaptured(v, LIMITS.valueChars) + type;
}

/** Joins lines up to `max` characters, saying how many were left out. */
export function bounded(lines: string[], max: number = LIMITS.answerChars): string {
  let used = 0;
  const kept: string[] = [];
  for (const line of lines) {
    if (used + line.length + 1 > max) {
      kept.push(`… ${lines.length - kept.length} more line(s) left out to stay within ${max} characters`);
      break;
    }
    kept.push(line);
    used += line.length + 1;
  }
  return kept.join('\n');
}
