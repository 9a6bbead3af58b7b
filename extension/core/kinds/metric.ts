import { formatMetric, probeWhat } from '../../../backend/cli/evidenceText';
import type { ProbeKindInfo } from '../probeKinds';

/** Metrics: one aggregated window per line (count, or the value/duration summary). */
export const metricKind: ProbeKindInfo<'metric'> = {
  kind: 'metric',
  label: 'Metric',
  icon: 'graph-line',
  addCommand: 'runtruth.addMetric',
  summary: (spec) => `${probeWhat(spec)}${spec.condition ? ` if ${spec.condition}` : ''}`,
  evidenceLine: (e) => formatMetric(e).replace(/^\S+ \S+ \S+\s+/, ''),
  evidenceDetail: (e) => formatMetric(e),
};
