import type { Node, Pattern } from 'acorn';

/** The nodes directly under `node`, in source order (a generic walk: acorn ships no walker we depend on). */
export function childNodes(node: Node): Node[] {
  const out: Node[] = [];
  for (const key in node) {
    if (key === 'loc' || key === 'type' || key === 'start' || key === 'end' || key === 'range') continue;
    const value = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) out.push(item);
    } else if (isNode(value)) out.push(value);
  }
  return out.sort((a, b) => a.start - b.start);
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

export function isFunction(node: Node): node is Node & { params: Pattern[]; body: Node; id?: { name: string } | null } {
  return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
}

/** Names a binding pattern declares: `a`, `{ a, b: [c], ...d }`, `e = 1`. */
export function boundNames(pattern: Pattern | null | undefined, out: string[] = []): string[] {
  if (!pattern) return out;
  switch (pattern.type) {
    case 'Identifier':
      out.push(pattern.name);
      break;
    case 'ObjectPattern':
      for (const p of pattern.properties) boundNames(p.type === 'RestElement' ? p.argument : p.value, out);
      break;
    case 'ArrayPattern':
      for (const e of pattern.elements) boundNames(e, out);
      break;
    case 'AssignmentPattern':
      boundNames(pattern.left, out);
      break;
    case 'RestElement':
      boundNames(pattern.argument, out);
      break;
    default:
      break; // MemberExpression targets (only in assignments) declare nothing
  }
  return out;
}
