import { tokenize, type Token } from './lexer';
import { CONTROL, enclosingFunction, insideFunction, nextStatementLine } from './structure';

/** A binary operation on a line whose operands can be evaluated read-only (member chains, literals, arithmetic). */
export interface Operation {
  op: string;
  /** Source of the operand, or undefined when it cannot be read without running code (a call). */
  left?: string;
  right?: string;
}

/** What one source line reads, writes and compares: the raw material of an evidence plan. */
export interface LineFacts {
  line: number;
  /** False for blank and comment-only lines. */
  code: boolean;
  /** Brace depth at the start of the line: 0 is module top level (runs once, at load). */
  depth: number;
  /** Member chains the line reads (`order.amount`, `LIMIT`), in order of appearance, without duplicates. */
  reads: string[];
  /** Names and chains the line assigns or declares, and object-literal keys it sets. */
  writes: string[];
  /** The object-literal keys among `writes` (not variables: nothing to read in scope afterwards). */
  keys: string[];
  /** Relational and equality comparisons (`amount > LIMIT`, `tier === 'gold'`). */
  comparisons: Operation[];
  /** Arithmetic whose operands may be undefined/NaN/strings (`qty * price`, `total + fee`). */
  arithmetic: Operation[];
  /** Values tested for truthiness (`if (flag)`, `!flag`, `flag && …`). */
  truthTests: string[];
  /** Functions the line calls (leaf names: `cardFee`, `format`), whose results it may use. */
  calls: string[];
  /** The catch parameter when the line opens a catch block. */
  catchParam?: string;
}

const KEYWORDS = new Set(
  ('break case catch class const continue debugger default delete do else export extends finally for function if import in instanceof ' +
    'let new return super switch this throw try typeof var void while with yield async await of static get set true false null undefined ' +
    'NaN Infinity as from interface type enum implements private public protected readonly declare namespace module abstract is keyof').split(' '),
);
/** Globals whose reads tell nothing about the program's data (and TS primitive type names). */
const BUILTINS = new Set(
  ('Math JSON console Number String Boolean Object Array Date Promise Error TypeError RangeError require exports Symbol BigInt parseInt ' +
    'parseFloat isNaN isFinite Buffer globalThis Reflect Map Set WeakMap WeakSet RegExp Intl setTimeout clearTimeout setInterval ' +
    'clearInterval __dirname __filename string number boolean any unknown never object bigint symbol').split(' '),
);
const ASSIGN = new Set(['=', '+=', '-=', '*=', '/=', '%=', '**=', '<<=', '>>=', '>>>=', '&=', '|=', '^=', '&&=', '||=', '??=']);
const RELATIONAL = new Set(['<', '>', '<=', '>=']);
const EQUALITY = new Set(['==', '===', '!=', '!==']);
const ARITH = new Set(['+', '-', '*', '/', '%', '**']);

/** Tokenised source with per-line facts computed on demand. */
export class SourceFacts {
  readonly tokens: Token[];
  private readonly byLine = new Map<number, number[]>();
  private readonly memo = new Map<number, LineFacts>();

  constructor(readonly source: string) {
    this.tokens = tokenize(source);
    this.tokens.forEach((t, i) => {
      const list = this.byLine.get(t.line);
      if (list) list.push(i);
      else this.byLine.set(t.line, [i]);
    });
  }

  get lineCount(): number {
    return this.source.split('\n').length;
  }

  lineText(line: number): string {
    return this.source.split('\n')[line - 1] ?? '';
  }

  /** Token indexes that start on `line`. */
  indexesOn(line: number): number[] {
    return this.byLine.get(line) ?? [];
  }

  facts(line: number): LineFacts {
    let hit = this.memo.get(line);
    if (!hit) {
      hit = this.compute(line);
      this.memo.set(line, hit);
    }
    return hit;
  }

  private compute(line: number): LineFacts {
    const idx = this.indexesOn(line);
    const facts: LineFacts = { line, code: idx.length > 0, depth: idx.length ? this.tokens[idx[0]!]!.depth : 0, reads: [], writes: [], keys: [], comparisons: [], arithmetic: [], truthTests: [], calls: [] };
    if (!idx.length) return facts;
    const t = this.tokens;
    const last = idx[idx.length - 1]!;
    let declaring = false;
    const params = this.parameterTokens(idx[0]!, last);
    for (let k = idx[0]!; k <= last; k++) {
      const tok = t[k]!;
      if (params.has(k)) {
        if (tok.type === 'ident' && !KEYWORDS.has(tok.text) && t[k - 1]?.text !== ':' && t[k - 1]?.text !== '.') facts.writes.push(tok.text);
        continue;
      }
      if (tok.type === 'ident' && (tok.text === 'const' || tok.text === 'let' || tok.text === 'var')) {
        declaring = true;
        continue;
      }
      if (tok.type === 'punct' && (tok.text === ';' || (tok.text === '=' && declaring))) declaring = false;
      if (tok.type === 'ident' && tok.text === 'catch' && t[k + 1]?.text === '(' && t[k + 2]?.type === 'ident') facts.catchParam = t[k + 2]!.text;
      if (tok.type === 'punct' && (RELATIONAL.has(tok.text) || EQUALITY.has(tok.text)) && !this.isGeneric(k, last)) {
        const left = this.leftOperand(k, true);
        const right = this.rightOperand(k, true);
        if (!this.isTypeofCheck(k)) facts.comparisons.push({ op: tok.text, left, right });
      }
      if (tok.type === 'punct' && ARITH.has(tok.text) && this.isBinary(k)) {
        facts.arithmetic.push({ op: tok.text, left: this.leftOperand(k, false), right: this.rightOperand(k, false) });
      }
      if (tok.type !== 'ident' || KEYWORDS.has(tok.text) || tok.text.startsWith('#')) {
        if (tok.type === 'ident' && tok.text === 'this' && t[k + 1]?.text === '.') this.readChainAt(k, facts, declaring);
        continue;
      }
      const prev = t[k - 1];
      if (prev && (prev.text === '.' || prev.text === '?.')) continue; // inside a chain handled at its root
      this.readChainAt(k, facts, declaring);
    }
    this.collectTruthTests(idx[0]!, last, facts);
    facts.reads = unique(facts.reads).filter((r) => !facts.writes.includes(r) || facts.comparisons.some((c) => c.left === r || c.right === r));
    facts.writes = unique(facts.writes);
    facts.keys = unique(facts.keys);
    facts.calls = unique(facts.calls);
    return facts;
  }

  /**
   * Tokens inside parameter lists on these lines (`function f(a, b) {`, `(a, b) =>`, `method(a) {`, `catch (e)`):
   * they declare names, they do not read them.
   */
  private parameterTokens(from: number, to: number): Set<number> {
    const t = this.tokens;
    const out = new Set<number>();
    for (let k = from; k <= to; k++) {
      if (t[k]!.text !== '(') continue;
      const close = this.matchForward(k, '(', ')');
      if (close === undefined) continue;
      const before = t[k - 1];
      let after = close + 1;
      if (t[after]?.text === ':') while (after < t.length && t[after]!.text !== '{' && t[after]!.text !== '=>' && t[after]!.text !== ';') after++;
      const opensBody = t[after]?.text === '{' || t[after]?.text === '=>';
      const isCatch = before?.text === 'catch';
      const isFunction = before?.text === 'function' || (before?.type === 'ident' && (t[k - 2]?.text === 'function' || !CONTROL.has(before.text)) && !['if', 'for', 'while', 'switch', 'with'].includes(before.text));
      const isArrow = t[close + 1]?.text === '=>' || (t[after]?.text === '=>');
      if (isCatch || isArrow || (isFunction && opensBody)) for (let j = k + 1; j < close; j++) out.add(j);
    }
    return out;
  }

  /** The chain starting at token k: classify it as read, write, key, callee or declaration. */
  private readChainAt(k: number, facts: LineFacts, declaring: boolean): void {
    const t = this.tokens;
    const { text, end } = this.chainFrom(k);
    const next = t[end + 1];
    const prev = t[k - 1];
    const root = t[k]!.text;
    if (declaring && (next?.text === '=' || next?.text === ',' || next?.text === ';' || next?.text === ':' || next?.text === ')' || next?.text === '}' || next?.text === ']' || next === undefined || next.line !== t[k]!.line)) {
      // `const x = …`, destructured bindings; `{ a: b }` binds b, so a key before ':' is not a binding
      if (next?.text !== ':') facts.writes.push(text);
      return;
    }
    if (next && ASSIGN.has(next.text)) {
      facts.writes.push(text);
      if (next.text !== '=') facts.reads.push(text);
      return;
    }
    if (next?.text === ':' && (prev?.text === '{' || prev?.text === ',') && !this.inTernary(k)) {
      facts.writes.push(text); // object literal key
      facts.keys.push(text);
      return;
    }
    if (prev?.text === 'new' || prev?.text === 'function' || prev?.text === 'class') return;
    if (next?.text === '=>') {
      facts.writes.push(text); // a single arrow parameter
      return;
    }
    if (next?.text === '(') {
      // a call: the callee is not data, but the object a method is called on is
      if (!BUILTINS.has(root) && !KEYWORDS.has(root)) facts.calls.push(text.slice(text.lastIndexOf('.') + 1).replace(/^\?/, ''));
      const dot = text.lastIndexOf('.');
      if (dot > 0 && !BUILTINS.has(root)) facts.reads.push(text.slice(0, dot).replace(/\?$/, ''));
      return;
    }
    if (BUILTINS.has(root) || (KEYWORDS.has(root) && root !== 'this')) return;
    facts.reads.push(text);
  }

  /** `a.b?.c[0]` starting at k: its source text and the index of its last token. */
  chainFrom(k: number): { text: string; end: number } {
    const t = this.tokens;
    let end = k;
    for (;;) {
      const a = t[end + 1];
      const b = t[end + 2];
      if ((a?.text === '.' || a?.text === '?.') && b?.type === 'ident') end += 2;
      else if (a?.text === '[' && (b?.type === 'num' || b?.type === 'str' || (b?.type === 'ident' && !KEYWORDS.has(b.text))) && t[end + 3]?.text === ']') end += 3;
      else break;
    }
    // a trailing `?.` before a call belongs to the call, not the chain
    return { text: this.slice(k, end), end };
  }

  private slice(from: number, to: number): string {
    const t = this.tokens;
    return this.source.slice(t[from]!.start, t[to]!.start + t[to]!.text.length);
  }

  /** The operand left of the operator at k; arithmetic is included when `wide` (it binds tighter than comparisons). */
  private leftOperand(k: number, wide: boolean): string | undefined {
    let start = this.atomStartBefore(k);
    if (start === undefined) return undefined;
    while (wide) {
      const op = this.tokens[start - 1];
      if (!op || op.type !== 'punct' || !ARITH.has(op.text) || !this.isBinary(start - 1)) break;
      const before = this.atomStartBefore(start - 1);
      if (before === undefined) return undefined;
      start = before;
    }
    const pre = this.tokens[start - 1];
    if (pre && (pre.text === '.' || pre.text === '?.' || pre.text === '!' || pre.text === 'typeof' || pre.text === 'new')) return undefined;
    return this.slice(start, k - 1);
  }

  private rightOperand(k: number, wide: boolean): string | undefined {
    let end = this.atomEndAfter(k);
    if (end === undefined) return undefined;
    while (wide) {
      const op = this.tokens[end + 1];
      if (!op || op.type !== 'punct' || !ARITH.has(op.text)) break;
      const after = this.atomEndAfter(end + 1);
      if (after === undefined) return undefined;
      end = after;
    }
    const post = this.tokens[end + 1];
    if (post && (post.text === '(' || post.text === '.' || post.text === '?.' || post.text === '`')) return undefined;
    return this.slice(k + 1, end);
  }

  /** Index of the first token of the readable atom ending just before k (chain, literal, parenthesised read). */
  private atomStartBefore(k: number): number | undefined {
    const t = this.tokens;
    let j = k - 1;
    const tok = t[j];
    if (!tok) return undefined;
    if (tok.type === 'num' || tok.type === 'str') return j;
    if (tok.text === ')') {
      const open = this.matchBackward(j, '(', ')');
      if (open === undefined) return undefined;
      const callee = t[open - 1];
      if (callee && (callee.type === 'ident' || callee.text === ')' || callee.text === ']') && !CONTROL.has(callee.text)) return undefined;
      return this.readOnlyRange(open + 1, j - 1) ? open : undefined;
    }
    // walk back over a member chain
    let start: number | undefined;
    while (j >= 0) {
      const cur = t[j]!;
      if (cur.type === 'ident' && !KEYWORDS.has(cur.text)) start = j;
      else if (cur.type === 'ident' && cur.text === 'this') start = j;
      else if (cur.text === ']') {
        const open = this.matchBackward(j, '[', ']');
        if (open === undefined || open !== j - 2) return undefined;
        j = open - 1;
        continue;
      } else break;
      const before = t[j - 1];
      if (before && (before.text === '.' || before.text === '?.')) j -= 2;
      else break;
    }
    if (start === undefined) return undefined;
    const after = this.chainFrom(start).end;
    return after === k - 1 ? start : undefined;
  }

  private atomEndAfter(k: number): number | undefined {
    const t = this.tokens;
    let j = k + 1;
    if (t[j]?.text === '-' || t[j]?.text === '+') j++;
    const tok = t[j];
    if (!tok) return undefined;
    if (tok.type === 'num' || tok.type === 'str') return j;
    if (tok.text === '(') {
      const close = this.matchForward(j, '(', ')');
      return close !== undefined && this.readOnlyRange(j + 1, close - 1) ? close : undefined;
    }
    if (tok.type === 'ident' && (!KEYWORDS.has(tok.text) || tok.text === 'this' || tok.text === 'undefined' || tok.text === 'null' || tok.text === 'true' || tok.text === 'false')) {
      if (tok.text === 'typeof' || tok.text === 'new' || tok.text === 'await') return undefined;
      const end = this.chainFrom(j).end;
      return t[end + 1]?.text === '(' ? undefined : end;
    }
    return undefined;
  }

  /** No calls, assignments, updates or functions between from and to (inclusive). */
  private readOnlyRange(from: number, to: number): boolean {
    if (to < from) return false;
    for (let j = from; j <= to; j++) {
      const tok = this.tokens[j]!;
      if (tok.text === '(' && j > from && (this.tokens[j - 1]!.type === 'ident' || this.tokens[j - 1]!.text === ')')) return false;
      if (ASSIGN.has(tok.text) || tok.text === '++' || tok.text === '--' || tok.text === '=>' || tok.text === 'function' || tok.text === 'new' || tok.text === 'await' || tok.type === 'template') return false;
    }
    return true;
  }

  /** Index of the token opening the bracket closed at `close`. */
  matchBackward(close: number, open: string, closeText: string): number | undefined {
    let depth = 0;
    for (let j = close; j >= 0; j--) {
      const x = this.tokens[j]!.text;
      if (x === closeText) depth++;
      else if (x === open && --depth === 0) return j;
    }
    return undefined;
  }

  private matchForward(open: number, openText: string, close: string): number | undefined {
    let depth = 0;
    for (let j = open; j < this.tokens.length; j++) {
      const x = this.tokens[j]!.text;
      if (x === openText) depth++;
      else if (x === close && --depth === 0) return j;
    }
    return undefined;
  }

  /** `+`/`-` between two operands (not a sign: `x = -1`, `(-a)`). */
  private isBinary(k: number): boolean {
    const prev = this.tokens[k - 1];
    if (!prev) return false;
    return prev.type === 'ident' ? !KEYWORDS.has(prev.text) || prev.text === 'this' : prev.type === 'num' || prev.type === 'str' || prev.text === ')' || prev.text === ']';
  }

  /** `Array<string>` / `Map<K, V>` in TypeScript: a `<` closed by `>` with only type-ish tokens between. */
  private isGeneric(k: number, last: number): boolean {
    const t = this.tokens;
    if (t[k]!.text !== '<' && t[k]!.text !== '>') return false;
    if (t[k]!.text === '>') {
      for (let j = k - 1; j >= 0 && t[j]!.line === t[k]!.line; j--) {
        if (t[j]!.text === '<') return this.isGeneric(j, last);
        if (!(t[j]!.type === 'ident' || [',', '[', ']', '|', '&', '.'].includes(t[j]!.text))) return false;
      }
      return false;
    }
    for (let j = k + 1; j <= last; j++) {
      const x = t[j]!;
      if (x.text === '>') return /^[A-Z]/.test(t[k - 1]?.text ?? '') || t[k + 1]?.type === 'ident';
      if (!(x.type === 'ident' || [',', '[', ']', '|', '&', '.'].includes(x.text))) return false;
    }
    return false;
  }

  private isTypeofCheck(k: number): boolean {
    const t = this.tokens;
    const start = this.atomStartBefore(k);
    return (start !== undefined && t[start - 1]?.text === 'typeof') || t[k + 1]?.text === 'typeof';
  }

  private inTernary(k: number): boolean {
    for (let j = k - 1; j >= 0 && this.tokens[j]!.line === this.tokens[k]!.line; j--) {
      const x = this.tokens[j]!.text;
      if (x === '?') return true;
      if (x === '{' || x === ',') continue;
    }
    return false;
  }

  private collectTruthTests(from: number, to: number, facts: LineFacts): void {
    const t = this.tokens;
    for (let k = from; k <= to; k++) {
      const tok = t[k]!;
      if (tok.type !== 'ident' || KEYWORDS.has(tok.text) || BUILTINS.has(tok.text)) continue;
      const prev = t[k - 1];
      if (prev && (prev.text === '.' || prev.text === '?.')) continue;
      const { text, end } = this.chainFrom(k);
      const next = t[end + 1];
      if (next?.text === '(') continue;
      const ifTest = prev?.text === '(' && (t[k - 2]?.text === 'if' || t[k - 2]?.text === 'while') && next?.text === ')';
      const negated = prev?.text === '!' && t[k - 2]?.text !== '!';
      const logical = next?.text === '&&' || next?.text === '||' || (next?.text === '?' && !ASSIGN.has(prev?.text ?? ''));
      if (ifTest || negated || logical) facts.truthTests.push(text);
    }
    facts.truthTests = unique(facts.truthTests);
  }

  /** The first line of the statement after the one on `line`, in the same block (see structure.ts). */
  nextStatementLine(line: number): number | undefined {
    return nextStatementLine(this, line);
  }

  /** Name of the innermost named function around `line`. */
  enclosingFunction(line: number): string | undefined {
    return enclosingFunction(this, line);
  }

  /** Whether `line` is inside any function body (top-level code runs once, at load). */
  insideFunction(line: number): boolean {
    return insideFunction(this, line);
  }
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
