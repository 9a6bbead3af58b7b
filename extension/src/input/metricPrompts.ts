import * as vscode from 'vscode';
import type { MetricType } from '../../../backend/protocol';
import type { ProbeLimits } from '../../core/limits';
import { endLineProblem } from '../../core/probeInput';
import { conditionProblem, expressionProblem } from '../../core/templateCheck';
import { askCondition, askLimits, presetLimits } from './commonPrompts';

export interface MetricAnswers {
  metric: MetricType;
  expression?: string;
  endLine?: number;
  condition?: string;
  limits: ProbeLimits;
}

/** Given answers skip their question; `endLine` is 1-based (empty: the enclosing function's return). */
export type MetricPreset = Partial<{ metric: MetricType; expression: string; endLine: number | string; condition: string; limits: string }>;

const TYPES: ReadonlyArray<vscode.QuickPickItem & { metric: MetricType }> = [
  { metric: 'count', label: '$(symbol-number) Counter', description: 'count', detail: 'How often the line runs, per window' },
  { metric: 'duration', label: '$(watch) Duration', description: 'duration', detail: 'Milliseconds from this line to an end line (or the function’s return)' },
  { metric: 'value', label: '$(graph-line) Value', description: 'value', detail: 'min / mean / p50 / p95 / max of a numeric expression' },
];

/**
 * The metric's type, then what it needs (a value's expression, a duration's optional end line), a condition and
 * limits, each checked as you type. Escape cancels (undefined); a preset answer that would be refused throws.
 */
export async function askMetric(where: string, line: number, lineCount: number, preset: MetricPreset, defaults: ProbeLimits): Promise<MetricAnswers | undefined> {
  const title = (step: number) => `Add Metric at ${where} (${step}/4)`;
  const metric = preset.metric ?? (await vscode.window.showQuickPick(TYPES, { title: title(1), placeHolder: 'What should the metric measure?', ignoreFocusOut: true }))?.metric;
  if (!metric) return undefined;

  let expression: string | undefined;
  let endLine: number | undefined;
  if (metric === 'value') {
    expression =
      preset.expression ??
      (await vscode.window.showInputBox({
        title: title(2),
        prompt: 'The numeric, read-only expression to summarise on every hit',
        placeHolder: 'e.g. order.items.length',
        ignoreFocusOut: true,
        validateInput: (text) => expressionProblem(text, 'the expression to measure'),
      }));
    if (expression === undefined) return undefined;
    const problem = expressionProblem(expression, 'the expression to measure');
    if (problem) throw new Error(`expression: ${problem}`);
  } else if (metric === 'duration') {
    const text =
      preset.endLine !== undefined
        ? String(preset.endLine)
        : await vscode.window.showInputBox({
            title: title(2),
            prompt: `Optional: the line the timed stretch ends at (after line ${line}). Empty: when the enclosing function returns.`,
            placeHolder: 'e.g. 20',
            ignoreFocusOut: true,
            validateInput: (t) => endLineProblem(t, line, lineCount),
          });
    if (text === undefined) return undefined;
    const problem = endLineProblem(text, line, lineCount);
    if (problem) throw new Error(`end line: ${problem}`);
    if (text.trim()) endLine = Number(text.trim());
  }

  const condition = preset.condition ?? (await askCondition(title(3), 'measure'));
  if (condition === undefined) return undefined;
  const conditionIssue = conditionProblem(condition);
  if (conditionIssue) throw new Error(`condition: ${conditionIssue}`);

  const limits = preset.limits !== undefined ? presetLimits(preset.limits, defaults) : await askLimits(title(4), defaults);
  if (!limits) return undefined;
  return { metric, ...(expression ? { expression: expression.trim() } : {}), ...(endLine !== undefined ? { endLine } : {}), ...(condition.trim() ? { condition: condition.trim() } : {}), limits };
}
