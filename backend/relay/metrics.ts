import type { RelayStats } from './stats';

/** What /metrics reports: counters since start, gauges as of now. */
export interface MetricsSnapshot {
  stats: RelayStats;
  agents: number;
  clients: number;
  probes: { live: number; proposed: number };
  clientQueueDepths: number[];
  auditEntries: number;
  evidenceLastId: number;
  /** Bytes of evidence JSON stored (what retention's byte cap measures). */
  evidenceBytes?: number;
}

type Sample = [labels: Record<string, string>, value: number];

/** Prometheus text exposition format 0.0.4. */
export function renderMetrics(m: MetricsSnapshot): string {
  const out: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: Sample[] | number) => {
    out.push(`# HELP runtruth_${name} ${help}`, `# TYPE runtruth_${name} ${type}`);
    for (const [labels, value] of typeof samples === 'number' ? ([[{}, samples]] as Sample[]) : samples) out.push(`runtruth_${name}${formatLabels(labels)} ${value}`);
  };
  const { stats } = m;
  metric('agents_connected', 'gauge', 'Agent instances connected now.', m.agents);
  metric('clients_connected', 'gauge', 'Client connections now.', m.clients);
  metric('probes', 'gauge', 'Open probes by lifecycle state.', [
    [{ state: 'live' }, m.probes.live],
    [{ state: 'proposed' }, m.probes.proposed],
  ]);
  metric('evidence_stored_total', 'counter', 'Evidence items stored since start (gap markers included).', stats.evidenceStored);
  metric('evidence_last_id', 'gauge', 'Highest evidence store id (grows across restarts).', m.evidenceLastId);
  if (m.evidenceBytes !== undefined) metric('evidence_stored_bytes', 'gauge', 'Bytes of evidence JSON in the store (retention caps this).', m.evidenceBytes);
  metric('evidence_dropped_total', 'counter', 'Evidence items lost, by where they were dropped.', [
    [{ where: 'agent' }, stats.agentDropped],
    [{ where: 'client-queue' }, stats.clientQueueDropped],
  ]);
  metric('evidence_duplicates_total', 'counter', 'Evidence items in re-sent agent batches that were already stored (acked again, stored once).', stats.evidenceDuplicates);
  metric('evidence_pruned_total', 'counter', 'Evidence items deleted by retention, by the limit that asked for it.', [
    [{ reason: 'age' }, stats.evidencePruned.age],
    [{ reason: 'items' }, stats.evidencePruned.items],
    [{ reason: 'bytes' }, stats.evidencePruned.bytes],
  ]);
  metric('evidence_ignored_total', 'counter', 'Evidence items refused: unknown, ended or foreign probe.', stats.evidenceIgnored);
  metric('client_queue_depth', 'gauge', 'Evidence items waiting in client send queues.', [
    [{ stat: 'sum' }, m.clientQueueDepths.reduce((a, b) => a + b, 0)],
    [{ stat: 'max' }, m.clientQueueDepths.reduce((a, b) => Math.max(a, b), 0)],
  ]);
  metric('requests_total', 'counter', 'Client requests received, by method.', Object.entries(stats.requests).sort().map(([method, n]): Sample => [{ method }, n]));
  metric('requests_rate_limited_total', 'counter', 'Client requests refused by the per-token rate limit.', stats.rateLimited);
  metric('requests_denied_total', 'counter', 'Client requests refused by role, scope or the AI rule.', stats.denied);
  metric('auth_failures_total', 'counter', 'Authentications refused (hellos with a bad token or agent key, /metrics without a valid token).', stats.authFailures);
  metric('auth_failures_unaudited_total', 'counter', 'Failed authentications counted in a summary audit entry instead of one entry each (flood cap).', stats.authFailuresUnaudited);
  metric('audit_entries', 'gauge', 'Entries in the audit log.', m.auditEntries);
  return out.join('\n') + '\n';
}

function formatLabels(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}
