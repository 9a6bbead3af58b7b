// The same parser and read-only checker the agent runs, so the input box rejects exactly what the agent would.
import { assertReadOnly } from '../../agent/probe/readOnly';
import { parseTemplate } from '../../agent/probe/template';

/** Why a logpoint template would be refused, in the agent's words; undefined when it is acceptable. */
export function templateProblem(template: string): string | undefined {
  if (!template.trim()) return 'Type the message to log; put expressions in braces, e.g. amount={amount}';
  try {
    const { expressions } = parseTemplate(template);
    for (const source of expressions) assertReadOnly(source);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Why a condition would be refused; undefined when it is empty (no condition) or acceptable. */
export function conditionProblem(condition: string): string | undefined {
  if (!condition.trim()) return undefined;
  try {
    assertReadOnly(condition.trim());
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The expressions a template reads, for hints like "logs amount, typeof amount". Empty when it does not parse. */
export function templateExpressions(template: string): string[] {
  try {
    return parseTemplate(template).expressions;
  } catch {
    return [];
  }
}
