import * as vscode from 'vscode';
import { formatLimits, parseLimits, type ProbeLimits } from '../../core/limits';
import { conditionProblem, templateExpressions, templateProblem } from '../../core/templateCheck';

export interface LogpointAnswers {
  template: string;
  condition?: string;
  limits: ProbeLimits;
}

/** Given answers skip their question (programmatic callers, the walkthrough, tests). */
export type PresetAnswers = Partial<{ template: string; condition: string; limits: string }>;

/**
 * Asks for a logpoint's template (checked as you type, with the agent's own parser), an optional condition and
 * its limits. Escape at any step cancels the whole thing (undefined).
 */
export async function askLogpoint(where: string, suggestion: string, preset: PresetAnswers, defaults: ProbeLimits): Promise<LogpointAnswers | undefined> {
  const title = (step: number) => `Add Logpoint at ${where} (${step}/3)`;
  const template =
    preset.template ??
    (await vscode.window.showInputBox({
      title: title(1),
      prompt: 'Message logged on every hit; {expressions} are read from the running code, e.g. amount={amount} ({typeof amount})',
      placeHolder: 'amount={amount} ({typeof amount})',
      value: suggestion,
      ignoreFocusOut: true,
      validateInput: (text) => templateProblem(text) ?? hint(text),
    }));
  if (template === undefined || templateProblem(template)) return undefined;

  const condition =
    preset.condition ??
    (await vscode.window.showInputBox({
      title: title(2),
      prompt: 'Optional: log only when this read-only expression is truthy. Leave empty to log every hit.',
      placeHolder: "e.g. typeof amount === 'string'",
      ignoreFocusOut: true,
      validateInput: conditionProblem,
    }));
  if (condition === undefined || conditionProblem(condition)) return undefined;

  const limitsText =
    preset.limits ??
    (await vscode.window.showInputBox({
      title: title(3),
      prompt: 'How long it lives and (optionally) how many hits per instance: e.g. "ttl 15m, max 100". Enter keeps the defaults.',
      value: formatLimits(defaults),
      ignoreFocusOut: true,
      validateInput: (text) => {
        const parsed = parseLimits(text, defaults);
        return parsed.ok ? undefined : parsed.problem;
      },
    }));
  if (limitsText === undefined) return undefined;
  const limits = parseLimits(limitsText, defaults);
  if (!limits.ok) return undefined;
  return { template, ...(condition.trim() ? { condition: condition.trim() } : {}), limits: limits.limits };
}

/** An informational (non-blocking) note while the template is valid: what it will read. */
function hint(text: string): vscode.InputBoxValidationMessage | undefined {
  const expressions = templateExpressions(text);
  if (!expressions.length) return { message: 'No {expression} yet: this logs the text as is.', severity: vscode.InputBoxValidationSeverity.Info };
  return { message: `Reads ${expressions.map((e) => `\`${e}\``).join(', ')} on every hit.`, severity: vscode.InputBoxValidationSeverity.Info };
}
