import { parse, type Node, type Options } from 'acorn';
import { RESERVED_PREFIX } from '../expr/allowlist';
import { childNodes } from './astWalk';
import { declaredNames, namesHeldByNoClosure, unreadOuterNames, visibleNames } from './scope';

/** Where a probe statement goes in a script, and what the probe's expressions can see there. */
export interface InjectionSite {
  /** Offset in the script source. */
  offset: number;
  /** 1-based, as editors count. */
  line: number;
  column: number;
  /** Whether a scope around the site declares `name`. */
  isDeclared(name: string): boolean;
  /** The variables visible there, innermost scope first (what an injected snapshot captures). */
  visible: string[];
  /** Whether `name` is an enclosing function's variable the code around the site never reads (see unreadOuterNames). */
  isUnreadOuter(name: string): boolean;
  /** Of such names, those no closure keeps either: no tier can read them at the site (see namesHeldByNoClosure). */
  heldByNoClosure(names: readonly string[]): string[];
}

export type SiteResult = { site: InjectionSite } | { problem: string };

/** A script parsed once, for any number of probes in it. */
export interface ParsedScript {
  program: Node;
  commonJs: boolean;
}

const BASE_OPTIONS: Options = { ecmaVersion: 'latest', locations: true, allowHashBang: true };

/** Parses a script's source as V8 runs it: a CommonJS body (top-level return allowed), else an ES module. */
export function parseScript(source: string, module: boolean): ParsedScript {
  if (!module) {
    try {
      return { program: parse(source, { ...BASE_OPTIONS, sourceType: 'script', allowReturnOutsideFunction: true }), commonJs: true };
    } catch {
      // import/export or top-level await: a module
    }
  }
  return { program: parse(source, { ...BASE_OPTIONS, sourceType: 'module' }), commonJs: false };
}

/**
 * Finds where a probe on `line` goes: before the first statement of a statement list (program, block, function
 * body, switch case) that starts on that line, so inserting there changes nothing else about the program. A
 * function declaration's line means the function's entry (as a V8 breakpoint there does): after its body's `{`
 * and directives. Anything else (a line inside an expression, a directive) is a problem the caller reports
 * while it falls back to a breakpoint.
 */
export function findInjectionSite(parsed: ParsedScript, line: number, column?: number): SiteResult {
  let best: { statement: Node; ancestors: Node[] } | undefined;
  // a column (1-based; from a source map, where a bundle may hold many statements on a line) picks the first
  // statement that starts at or after it
  const fromColumn = column === undefined ? 0 : column - 1;
  const visit = (node: Node, ancestors: Node[]) => {
    if (!node.loc || node.loc.end.line < line || node.loc.start.line > line) return;
    const path = [...ancestors, node];
    for (const list of statementLists(node)) {
      for (const statement of list) {
        const start = statement.loc!.start;
        if (start.line === line && start.column >= fromColumn && (!best || statement.start < best.statement.start)) best = { statement, ancestors: path };
      }
    }
    for (const child of childNodes(node)) visit(child, path);
  };
  visit(parsed.program, []);
  const where = column === undefined ? `on line ${line}` : `on line ${line} at or after column ${column}`;
  if (!best) return { problem: `no statement starts ${where} (it is inside an expression or a statement that starts earlier), so a probe cannot be inserted there` };
  const { statement, ancestors } = best;
  if (ancestors.some((a) => a.type === 'WithStatement')) return { problem: `line ${line} is inside a \`with\` block, where names may resolve through an object's getters` };
  if (isDirective(statement)) return { problem: `line ${line} is a directive (like 'use strict'): a statement before it would change what it means` };
  if (statement.type === 'FunctionDeclaration') return functionEntry(parsed, statement, ancestors);
  return site(parsed, statement.start, statement.loc!.start, ancestors);
}

function functionEntry(parsed: ParsedScript, fn: Node, ancestors: Node[]): SiteResult {
  const body = (fn as unknown as { body: Node & { body: Node[] } }).body;
  const directives = body.body.filter((s, i) => isDirective(s) && body.body.slice(0, i).every(isDirective));
  const after = directives.at(-1);
  const offset = after ? after.end : body.start + 1;
  const loc = after ? after.loc!.end : { line: body.loc!.start.line, column: body.loc!.start.column + 1 };
  return site(parsed, offset, loc, [...ancestors, fn, body]);
}

function site(parsed: ParsedScript, offset: number, loc: { line: number; column: number }, ancestors: Node[]): SiteResult {
  const names = declaredNames(ancestors, parsed.commonJs);
  const reserved = [...names].find((n) => n.startsWith(RESERVED_PREFIX));
  if (reserved) return { problem: `the code around line ${loc.line} declares "${reserved}", a name reserved for probe code` };
  const unread = unreadOuterNames(ancestors, parsed.commonJs);
  return {
    site: { offset, line: loc.line, column: loc.column + 1, isDeclared: (name) => names.has(name), visible: visibleNames(ancestors), isUnreadOuter: (name) => unread.has(name), heldByNoClosure: (list) => namesHeldByNoClosure(ancestors, list) },
  };
}

function statementLists(node: Node): Node[][] {
  switch (node.type) {
    case 'Program':
    case 'BlockStatement':
    case 'StaticBlock':
      return [(node as unknown as { body: Node[] }).body];
    case 'SwitchCase':
      return [(node as unknown as { consequent: Node[] }).consequent];
    default:
      return [];
  }
}

function isDirective(node: Node): boolean {
  return node.type === 'ExpressionStatement' && typeof (node as unknown as { directive?: unknown }).directive === 'string';
}
