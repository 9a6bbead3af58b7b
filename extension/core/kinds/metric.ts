import { formatMetric } from '../../../backend/cli/evidenceText';
import type { ProbeKindInfo } from '../probeKinds';

/** Metrics: one aggregated window per line (count, or the value/duration summary). */
export const metricKind: ProbeKindInfo<'metric'> = {
  kind: 'metric',
  label: 'Metric',
  icon: 'graph-line',
  addCommand: 'runtruth.addMetric',
  summary: (spec) =>
    spec.metric === 'value' ? `metric value(${spec.expression})` : spec.metric === 'duration' ? `metric duration${spec.endLine ? ` to line ${spec.endLine}` : ''}` : 'metric count',
  evidenceLine: (e) => formatMetric(e).replace(/^\S+ \S+ \S+\s+/, ''),
  evidenceDetail: (e) => formatMetric(e),
};
