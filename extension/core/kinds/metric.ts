import { formatMetric, probeWhat } from '../../../backend/cli/evidenceText';
import type { MetricType, NewProbe } from '../../../backend/protocol';
import type { ProbeKindInfo } from '../probeKinds';
import { commonFields, type ProbeInputCommon } from '../probeInput';

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

export interface MetricInput extends ProbeInputCommon {
  metric: MetricType;
  /** `value` metrics: the numeric expression summarised. */
  expression?: string;
  /** `duration` metrics: the 1-based line the timed stretch ends at (else the enclosing function's return). */
  endLine?: number;
}

/** The `probe.add` payload for a metric; the protocol's refinements (value needs an expression…) are checked by validateNewProbe. */
export function newMetric(input: MetricInput): NewProbe {
  const expression = input.expression?.trim();
  return {
    kind: 'metric',
    metric: input.metric,
    ...commonFields(input),
    ...(expression ? { expression } : {}),
    ...(input.endLine !== undefined ? { endLine: input.endLine } : {}),
  };
}
