import * as vscode from 'vscode';
import type { ProbeLimits } from '../../core/limits';
import { conditionProblem, splitExpressions, watchesProblem } from '../../core/templateCheck';
import { askCondition, askLimits, presetLimits } from './commonPrompts';

export interface SnapshotAnswers {
  watches: string[];
  condition?: string;
  limits: ProbeLimits;
}

/** Given answers skip their question (tests, the walkthrough); `watches` is a comma-separated list. */
export type SnapshotPreset = Partial<{ watches: string; condition: string; limits: string }>;

/**
 * Watch expressions (optional, each checked as you type with the agent's read-only rules), a condition and
 * limits. A snapshot takes one hit unless told otherwise. Escape at any step cancels (undefined); a preset
 * answer the agent would refuse throws, so a programmatic caller learns why.
 */
export async function askSnapshot(where: string, preset: SnapshotPreset, defaults: ProbeLimits): Promise<SnapshotAnswers | undefined> {
  const title = (step: number) => `Add Snapshot at ${where} (${step}/3)`;
  const watchesText =
    preset.watches ??
    (await vscode.window.showInputBox({
      title: title(1),
      prompt: 'Optional: expressions to capture besides the locals, comma-separated (e.g. order.items.length, typeof amount). Enter for locals only.',
      placeHolder: 'order.items.length, typeof amount',
      ignoreFocusOut: true,
      validateInput: (text) => watchesProblem(text),
    }));
  if (watchesText === undefined) return undefined;
  const watchProblem = watchesProblem(watchesText);
  if (watchProblem) throw new Error(`watch ${watchProblem}`);

  const condition = preset.condition ?? (await askCondition(title(2), 'capture'));
  if (condition === undefined) return undefined;
  const conditionIssue = conditionProblem(condition);
  if (conditionIssue) throw new Error(`condition: ${conditionIssue}`);

  const snapshotDefaults = { ...defaults, maxHits: defaults.maxHits ?? 1 };
  const limits = preset.limits !== undefined ? presetLimits(preset.limits, snapshotDefaults) : await askLimits(title(3), snapshotDefaults);
  if (!limits) return undefined;
  return { watches: splitExpressions(watchesText), ...(condition.trim() ? { condition: condition.trim() } : {}), limits };
}
