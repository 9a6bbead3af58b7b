import type { Node } from 'acorn';

/** Deepest expression a probe may have: V8 overflows its stack compiling guarded code around ~1,000 levels. */
export const MAX_EXPRESSION_DEPTH = 100;

/** How deeply `root` nests (iteratively: a hostile expression must not overflow our stack either). */
export function expressionDepth(root: Node): number {
  let deepest = 0;
  const stack: Array<[Node, number]> = [[root, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    for (const key in node) {
      if (key === 'loc' || key === 'type' || key === 'start' || key === 'end') continue;
      const value = (node as unknown as Record<string, unknown>)[key];
      const children = Array.isArray(value) ? value : [value];
      for (const child of children) {
        if (typeof child === 'object' && child !== null && typeof (child as { type?: unknown }).type === 'string') stack.push([child as Node, depth + 1]);
      }
    }
  }
  return deepest;
}
