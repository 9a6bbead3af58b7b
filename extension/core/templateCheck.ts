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

/** Why a required read-only expression (a metric's value, a watch) would be refused; undefined when acceptable. */
export function expressionProblem(expression: string, what = 'an expression'): string | undefined {
  if (!expression.trim()) return `Type ${what}, e.g. order.items.length`;
  return conditionProblem(expression);
}

/**
 * Splits `a, b.c, f[1]` into expressions at top-level commas (not inside brackets, braces, parentheses or
 * quotes), so a watch list can be typed on one line.
 */
export function splitExpressions(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}

/** Why a watch list would be refused (each watch checked like a condition); undefined when empty or acceptable. */
export function watchesProblem(text: string, max = 20): string | undefined {
  const watches = splitExpressions(text);
  if (watches.length > max) return `At most ${max} watch expressions`;
  for (const w of watches) {
    const problem = conditionProblem(w);
    if (problem) return `${w}: ${problem}`;
  }
  return undefined;
}
