import type { AgentEvidence } from '../../backend/protocol/evidence';
import type { MetricWindow } from './aggregator';

type MetricItem = Extract<AgentEvidence, { kind: 'metric' }>;

/** A flushed window as protocol evidence: durations in ms, `sampled` only when it differs from `count`. */
export function metricEvidence(w: MetricWindow): MetricItem {
  const end = new Date(w.end).toISOString();
  return {
    kind: 'metric',
    probeId: w.probeId,
    at: end,
    metric: w.metric,
    window: { start: new Date(w.start).toISOString(), end },
    count: w.count,
    ...(w.metric !== 'count' && w.sampled !== w.count ? { sampled: w.sampled } : {}),
    ...(w.summary ? round(w.summary) : {}),
    ...(w.metric === 'duration' ? { unit: 'ms' as const } : {}),
  };
}

/** Microsecond precision is plenty for ms durations and keeps the JSON short; other values pass unchanged. */
function round(s: NonNullable<MetricWindow['summary']>): NonNullable<MetricWindow['summary']> {
  const r = (x: number) => (Number.isInteger(x) ? x : Math.round(x * 1000) / 1000);
  return { min: r(s.min), max: r(s.max), mean: r(s.mean), p50: r(s.p50), p95: r(s.p95), p99: r(s.p99) };
}
