import type { Token } from './lexer';
import type { SourceFacts } from './lineFacts';

/** Words before `(` that open a control statement, not a call or a function. */
export const CONTROL = new Set(['if', 'for', 'while', 'switch', 'catch', 'with', 'return', 'typeof', 'await']);

// Questions about a file's block structure, answered from its tokens: where a statement ends, which function a
// line is in, whether it runs at load time. Heuristics over tokens, not a parser; good enough for one line.

/**
 * The first line of the statement after the one starting on `line`, in the same block — where the values
 * that statement wrote can be read. Undefined when the block ends first.
 */
export function nextStatementLine(facts: SourceFacts, line: number): number | undefined {
  const idx = facts.indexesOn(line);
  if (!idx.length) return undefined;
  const t = facts.tokens;
  const depth = t[idx[0]!]!.depth;
  let nesting = 0;
  for (let k = idx[0]!; k < t.length; k++) {
    const x = t[k]!;
    if (x.text === '(' || x.text === '[' || x.text === '{') nesting++;
    else if (x.text === ')' || x.text === ']' || x.text === '}') nesting--;
    if (nesting < 0) return undefined; // the block closed
    const next = t[k + 1];
    if (!next) return undefined;
    const ends = nesting === 0 && (x.text === ';' || (next.line > x.line && !continues(x, next)));
    if (ends) {
      if (next.text === '}' || next.depth < depth) return undefined;
      if (['else', 'catch', 'finally'].includes(next.text)) return undefined;
      return next.line;
    }
  }
  return undefined;
}

/** Name of the innermost function around `line` (declarations, methods, `name = (…) =>`), if any. */
export function enclosingFunction(facts: SourceFacts, line: number): string | undefined {
  const idx = facts.indexesOn(line);
  const t = facts.tokens;
  let k = idx.length ? idx[0]! : t.findIndex((x) => x.line > line);
  if (k < 0) return undefined;
  let depth = t[k]!.depth;
  for (let j = k - 1; j >= 0 && depth > 0; j--) {
    const x = t[j]!;
    if (x.text !== '{' || x.depth !== depth - 1) continue;
    depth = x.depth;
    const name = functionNameBefore(facts, j);
    if (name) return name;
  }
  return undefined;
}

/** Whether `line` is inside a function body (named or not): top-level code runs once, at load. */
export function insideFunction(facts: SourceFacts, line: number): boolean {
  const idx = facts.indexesOn(line);
  const t = facts.tokens;
  const k = idx.length ? idx[0]! : t.findIndex((x) => x.line > line);
  if (k < 0) return false;
  let depth = t[k]!.depth;
  for (let j = k - 1; j >= 0 && depth > 0; j--) {
    const x = t[j]!;
    if (x.text !== '{' || x.depth !== depth - 1) continue;
    depth = x.depth;
    if (opensFunction(facts, j)) return true;
  }
  return false;
}

function opensFunction(facts: SourceFacts, brace: number): boolean {
  const t = facts.tokens;
  let j = brace - 1;
  if (t[j]?.text === '=>') return true;
  while (j > 0 && t[j]?.text !== ')' && t[j]?.line === t[brace]!.line && ![';', '{', '}', '=', ','].includes(t[j]!.text)) j--;
  if (t[j]?.text !== ')') return false;
  const open = facts.matchBackward(j, '(', ')');
  const before = open === undefined ? undefined : t[open - 1];
  if (!before) return false;
  if (before.text === 'function') return true;
  return before.type === 'ident' && !['if', 'for', 'while', 'switch', 'catch', 'with'].includes(before.text);
}

function functionNameBefore(facts: SourceFacts, brace: number): string | undefined {
  const t = facts.tokens;
  let j = brace - 1;
  if (t[j]?.text === '=>') {
    j--;
    if (t[j]?.text === ')') j = (facts.matchBackward(j, '(', ')') ?? 0) - 1;
    else j--;
    if (t[j]?.text === 'async') j--;
    if (t[j]?.text === '=' || t[j]?.text === ':') return t[j - 1]?.type === 'ident' ? t[j - 1]!.text : undefined;
    return undefined;
  }
  // skip a TS return type annotation `): Promise<X> {`
  while (j > 0 && t[j]?.text !== ')' && t[j]?.line === t[brace]!.line && t[j]?.text !== ';' && t[j]?.text !== '{' && t[j]?.text !== '}') j--;
  if (t[j]?.text !== ')') return undefined;
  const open = facts.matchBackward(j, '(', ')');
  if (open === undefined) return undefined;
  const name = t[open - 1];
  if (!name || name.type !== 'ident' || CONTROL.has(name.text) || ['if', 'for', 'while', 'switch', 'catch'].includes(name.text)) return undefined;
  if (name.text === 'function') return t[open - 2]?.text === '=' || t[open - 2]?.text === ':' ? t[open - 3]?.text : 'anonymous function';
  return name.text;
}

/** Whether a statement continues onto the next line (operator at the end of one, or at the start of the next). */
function continues(last: Token, next: Token): boolean {
  const joining = ['.', '?.', '+', '-', '*', '/', '%', '&&', '||', '??', '?', ':', '=', '=>', ',', '(', '[', '{', '<', '>', '<=', '>=', '===', '!==', '==', '!=', '**', '|', '&'];
  return (last.type === 'punct' && joining.includes(last.text)) || (next.type === 'punct' && ['.', '?.', '?', ':', '&&', '||', '??', '+', '*', '/', '%', ')', ']', '=>', '===', '!==', '<', '>'].includes(next.text));
}
