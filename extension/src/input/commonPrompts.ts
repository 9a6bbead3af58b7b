import * as vscode from 'vscode';
import { formatLimits, parseLimits, type ProbeLimits } from '../../core/limits';
import { conditionProblem } from '../../core/templateCheck';

/** The optional condition step, checked as you type with the agent's read-only rules. Undefined: cancelled. */
export async function askCondition(title: string, what: string): Promise<string | undefined> {
  const condition = await vscode.window.showInputBox({
    title,
    prompt: `Optional: ${what} only when this read-only expression is truthy. Leave empty for every hit.`,
    placeHolder: "e.g. typeof amount === 'string'",
    ignoreFocusOut: true,
    validateInput: conditionProblem,
  });
  return condition === undefined || conditionProblem(condition) ? undefined : condition.trim();
}

/** The TTL and max-hits step (`ttl 15m, max 100`), checked as you type. Undefined: cancelled. */
export async function askLimits(title: string, defaults: ProbeLimits): Promise<ProbeLimits | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    prompt: 'How long it lives and (optionally) how many hits per instance: e.g. "ttl 15m, max 100". Enter keeps the defaults.',
    value: formatLimits(defaults),
    ignoreFocusOut: true,
    validateInput: (t) => {
      const parsed = parseLimits(t, defaults);
      return parsed.ok ? undefined : parsed.problem;
    },
  });
  if (text === undefined) return undefined;
  const parsed = parseLimits(text, defaults);
  return parsed.ok ? parsed.limits : undefined;
}

/** A preset limits text (programmatic callers) parsed against the defaults; a bad one is an error, not a prompt. */
export function presetLimits(text: string, defaults: ProbeLimits): ProbeLimits {
  const parsed = parseLimits(text, defaults);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.limits;
}
