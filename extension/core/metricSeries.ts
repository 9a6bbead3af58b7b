import { formatMetric, probeWhat } from '../../backend/cli/evidenceText';
import type { MetricEvidence } from '../../backend/protocol';
import type { MetricSeriesRow } from '../../webview/protocol';
import type { EvidenceLog } from './evidenceLog';
import type { TrackedProbe } from './runtimeState';

/** What a chart plots per window: hits for counters, the median for value and duration summaries. */
function pointOf(e: MetricEvidence): number {
  if (e.metric === 'count') return e.count;
  return e.p50 ?? e.mean ?? 0;
}

function measureOf(metric: MetricEvidence['metric'], unit?: string): string {
  if (metric === 'count') return 'hits per window';
  return `p50${unit ? ` ${unit}` : ''} per window`;
}

/**
 * Every metric probe's recent windows (all instances, in arrival order), for the panel's charts. Probes with no
 * window yet get an empty series, so the chart says it is waiting rather than vanishing.
 */
export function metricSeries(probes: readonly TrackedProbe[], evidence: Pick<EvidenceLog, 'forProbe'>): MetricSeriesRow[] {
  const rows: MetricSeriesRow[] = [];
  for (const probe of probes) {
    const spec = probe.spec;
    if (spec.kind !== 'metric') continue;
    const windows = evidence.forProbe(spec.id).filter((e): e is MetricEvidence => e.kind === 'metric');
    const points = windows.map(pointOf);
    const last = windows[windows.length - 1];
    rows.push({
      probeId: spec.id,
      location: `${spec.file}:${spec.line}`,
      label: probeWhat(spec).replace(/^metric /, ''),
      measure: measureOf(spec.metric, last?.unit),
      points,
      latest: last ? formatMetric(last).replace(/^\S+ \S+ \S+\s+/, '') : 'waiting for the first window…',
      min: points.length ? Math.min(...points) : 0,
      max: points.length ? Math.max(...points) : 0,
    });
  }
  return rows;
}
