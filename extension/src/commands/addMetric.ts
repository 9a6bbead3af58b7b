import { newMetric } from '../../core/kinds/metric';
import { toProbeLine } from '../../core/positions';
import { askMetric, type MetricAnswers, type MetricPreset } from '../input/metricPrompts';
import type { Runtime } from '../runtime';
import { placeFromEditor } from './placeFlow';

/** `Runtruth: Add Metric…`: a counter, a duration or a value summary of the line, aggregated in the process. */
export function addMetric(rt: Runtime, arg?: unknown): Promise<string | undefined> {
  return placeFromEditor<MetricAnswers>(rt, arg, {
    label: 'Metric',
    ask: ({ document, line, where }, preset) => askMetric(where, toProbeLine(line), document.lineCount, preset as MetricPreset, rt.settings().defaultLimits),
    build: (answers, common) => newMetric({ ...common, ...answers }),
  });
}
