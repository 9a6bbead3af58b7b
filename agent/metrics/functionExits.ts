import { parse, type Node } from 'acorn';
import { exactUrlRegex } from '../engine/urlSuffix';
import type { BoundLocation } from '../engine/types';
import type { InspectorClient } from '../inspectorClient';

interface FunctionNode extends Node {
  body: Node;
  loc: { start: { line: number; column: number }; end: { line: number; column: number } };
}

/**
 * Places the end sites of a duration measured "until the enclosing function returns": one breakpoint on each
 * return point V8 reports for the function containing the start (explicit returns and the implicit one at the
 * closing brace). Each breakpoint is keyed by the end id in its URL pattern, so two probes can share a function.
 * A throw leaves through none of them: that stretch is never closed (the aggregate drops stale starts).
 */
export async function placeFunctionExits(
  client: InspectorClient,
  scriptId: string,
  start: BoundLocation,
  endId: string,
  condition: string,
): Promise<{ breakpointIds: string[] } | { error: string }> {
  const { scriptSource } = await client.post('Debugger.getScriptSource', { scriptId });
  const fn = enclosingFunction(scriptSource, start.line, (start.column ?? 1) - 1);
  if (!fn) return { error: `line ${start.line} is not inside a function: give the duration an end line` };
  const { locations } = await client.post('Debugger.getPossibleBreakpoints', {
    start: { scriptId, lineNumber: fn.loc.start.line - 1, columnNumber: fn.loc.start.column },
    end: { scriptId, lineNumber: fn.loc.end.line - 1, columnNumber: fn.loc.end.column },
    restrictToFunction: true,
  });
  const exits = locations.filter((l) => l.type === 'return');
  if (!exits.length) return { error: `V8 reports no return point for the function around line ${start.line}` };
  const breakpointIds: string[] = [];
  for (const exit of exits) {
    const r = await client.post('Debugger.setBreakpointByUrl', {
      urlRegex: `(?:${exactUrlRegex(start.url)})|(?!)${endId.replace(/[^\w-]/g, '_')}`,
      lineNumber: exit.lineNumber,
      columnNumber: exit.columnNumber ?? 0,
      condition,
    });
    breakpointIds.push(r.breakpointId);
  }
  return { breakpointIds };
}

/** The innermost function whose body contains (line 1-based, column 0-based), parsed as a script, else a module. */
export function enclosingFunction(source: string, line: number, column: number): FunctionNode | undefined {
  const ast = parseLeniently(source);
  if (!ast) return undefined;
  let found: FunctionNode | undefined;
  const visit = (node: Node): void => {
    const n = node as FunctionNode;
    if (/Function/.test(n.type) && n.body && contains(n.body as FunctionNode, line, column)) found = n;
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) for (const v of value) isNode(v) && visit(v);
      else if (isNode(value)) visit(value);
    }
  };
  visit(ast);
  return found;
}

function parseLeniently(source: string): Node | undefined {
  for (const sourceType of ['script', 'module'] as const) {
    try {
      return parse(source, { ecmaVersion: 'latest', sourceType, locations: true, allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: sourceType === 'module' });
    } catch {
      // try the other
    }
  }
  return undefined;
}

function contains(n: FunctionNode, line: number, column: number): boolean {
  const { start, end } = n.loc;
  const after = line > start.line || (line === start.line && column >= start.column);
  const before = line < end.line || (line === end.line && column <= end.column);
  return after && before;
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as Node).type === 'string' && typeof (v as Node).start === 'number';
}
