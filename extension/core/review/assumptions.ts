import type { SourceFacts } from '../assistant/code/lineFacts';
import { isLiteral, literalType } from '../assistant/evidence/captures';
import type { Assumption } from './schema';

/** A value the changed code reads, with what the change assumes about it (possibly nothing: then it is context). */
export interface ReadValue {
  expression: string;
  assumptions: Assumption[];
}

/** Most expressions captured per hunk: each is evaluated on every sampled hit. */
export const MAX_VALUES_PER_HUNK = 6;
const NUMERIC_OPS = new Set(['*', '/', '-', '%', '**']);
const RELATIONAL = new Set(['<', '>', '<=', '>=']);

/**
 * What the added lines (head side) read and assume: operands of arithmetic and of relational comparisons are
 * expected to be numbers; the object a member chain reads a field through is expected to be present. Values the
 * new code itself declares are left out (they do not exist in the deployed code). Assumptions come first.
 */
export function readsOfAddedLines(head: SourceFacts, lines: readonly number[]): ReadValue[] {
  const byExpr = new Map<string, ReadValue>();
  const order: string[] = [];
  const declared = declaredOn(head, lines);
  const add = (expression: string, assumption?: Assumption) => {
    if (declared.has(rootOf(expression)) || isLiteral(expression) || !/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/.test(expression)) return;
    let v = byExpr.get(expression);
    if (!v) {
      v = { expression, assumptions: [] };
      byExpr.set(expression, v);
      order.push(expression);
    }
    if (assumption && !v.assumptions.some((a) => a.expects === assumption.expects)) v.assumptions.push(assumption);
  };
  const guarded = new Set(lines.flatMap((l) => head.facts(l).truthTests));
  for (const line of lines) {
    const f = head.facts(line);
    for (const a of f.arithmetic) {
      const numeric = NUMERIC_OPS.has(a.op) || [a.left, a.right].some((s) => s !== undefined && literalType(s) === 'number');
      if (!numeric) continue;
      for (const side of [a.left, a.right]) if (side !== undefined) add(side, { expects: 'number', because: `${a.left ?? '…'} ${a.op} ${a.right ?? '…'}`, line });
    }
    for (const c of f.comparisons) {
      if (!RELATIONAL.has(c.op) || [c.left, c.right].some((s) => s !== undefined && literalType(s) === 'string')) continue;
      for (const side of [c.left, c.right]) if (side !== undefined) add(side, { expects: 'number', because: `${c.left ?? '…'} ${c.op} ${c.right ?? '…'}`, line });
    }
    for (const read of f.reads) {
      if (read.includes('?.') || read.includes('[')) continue;
      const parts = read.split('.');
      // `order.customer.tier` reads `tier` through `order.customer`: the change assumes it is there
      for (let n = 2; n < parts.length; n++) {
        const through = parts.slice(0, n).join('.');
        if (!guarded.has(through)) add(through, { expects: 'present', because: read, line });
      }
    }
  }
  for (const line of lines) for (const read of head.facts(line).reads) add(read);
  const ranked = order.map((e) => byExpr.get(e)!).sort((a, b) => Number(b.assumptions.length > 0) - Number(a.assumptions.length > 0));
  return ranked.slice(0, MAX_VALUES_PER_HUNK);
}

/** Names the lines declare (`const x`, `let { a, b }`): they do not exist before the new code runs. */
function declaredOn(facts: SourceFacts, lines: readonly number[]): Set<string> {
  const out = new Set<string>();
  for (const line of lines) {
    const idx = facts.indexesOn(line);
    let declaring = false;
    for (const k of idx) {
      const t = facts.tokens[k]!;
      if (t.type === 'ident' && (t.text === 'const' || t.text === 'let' || t.text === 'var')) declaring = true;
      else if (t.text === '=' || t.text === ';') declaring = false;
      else if (declaring && t.type === 'ident' && facts.tokens[k + 1]?.text !== ':') out.add(t.text);
    }
  }
  return out;
}

function rootOf(expression: string): string {
  return expression.split(/[.[?]/)[0]!;
}

/** Whether `expression`'s root name can be in scope at `line` of the deployed file (it appears there, at or before it). */
export function visibleAt(deployed: SourceFacts, expression: string, line: number): boolean {
  const root = rootOf(expression);
  return deployed.tokens.some((t, i) => t.type === 'ident' && t.text === root && t.line <= line && deployed.tokens[i - 1]?.text !== '.');
}
