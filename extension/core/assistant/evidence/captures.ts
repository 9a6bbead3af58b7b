import type { CaptureValue, PlannedProbe } from '../schema';

/** Most values one probe captures: each is evaluated on every hit, so fewer is cheaper. */
export const MAX_CAPTURES = 10;

/**
 * Everything a planned probe captures, in a fixed order: its values, then the results of its comparisons
 * (so "the branch the code took" is evidence too). Literal operands are not captured: their type is known.
 */
export function captureList(plan: PlannedProbe): CaptureValue[] {
  const out: CaptureValue[] = [];
  const seen = new Set<string>();
  const add = (name: string, expr: string) => {
    if (seen.has(expr) || out.length >= MAX_CAPTURES) return;
    seen.add(expr);
    out.push({ name, expr });
  };
  for (const v of plan.values) add(v.name, v.expr);
  // operands decide arithmetic and comparisons: their types are the evidence
  for (const a of plan.arithmetic) for (const side of [a.left, a.right]) if (side !== undefined && !isLiteral(side)) add(side, side);
  for (const c of plan.comparisons) {
    if (c.left === undefined || c.right === undefined) continue;
    for (const side of [c.left, c.right]) if (!isLiteral(side)) add(side, side);
    add(`${c.left} ${c.op} ${c.right}`, `${paren(c.left)} ${c.op} ${paren(c.right)}`);
  }
  return out;
}

/** A number, string, boolean, null or undefined literal: its type is known without running it. */
export function isLiteral(expr: string): boolean {
  return /^-?\d[\d_]*(\.\d+)?(e[+-]?\d+)?n?$/i.test(expr) || /^(['"]).*\1$/s.test(expr) || ['true', 'false', 'null', 'undefined'].includes(expr);
}

/** The type of a literal operand, or undefined for anything else. */
export function literalType(expr: string): string | undefined {
  if (/^-?\d/.test(expr)) return /n$/.test(expr) ? 'bigint' : 'number';
  if (/^(['"]).*\1$/s.test(expr)) return 'string';
  if (expr === 'true' || expr === 'false') return 'boolean';
  if (expr === 'null') return 'null';
  if (expr === 'undefined') return 'undefined';
  return undefined;
}

const paren = (expr: string) => (/^[\w$.?[\]'"]+$/.test(expr) ? expr : `(${expr})`);
