import type { Node, Pattern } from 'acorn';
import { boundNames, childNodes, isFunction } from './astWalk';

/** What a CommonJS module's wrapper function declares (Node compiles the file's text as that function's body). */
const COMMONJS_NAMES = ['exports', 'require', 'module', '__filename', '__dirname'];

/**
 * The names declared in the scopes around a place in a script, from the chain of nodes that contain it
 * (outermost first). A probe expression reads these as the program does; any other name is a global and goes
 * through the guard (a global may be a getter). Over-approximates a little (a sloppy-mode function declared in
 * a nested block counts for its whole function), which only matters for a global of the same name.
 */
export function declaredNames(ancestors: readonly Node[], commonJs: boolean): Set<string> {
  const names = new Set<string>(commonJs ? COMMONJS_NAMES : []);
  const add = (list: string[]) => list.forEach((n) => names.add(n));
  for (const node of ancestors) {
    if (node.type === 'Program') {
      add(varScoped(node));
      add(lexical((node as unknown as { body: Node[] }).body));
    } else if (isFunction(node)) {
      if (node.type !== 'FunctionDeclaration' && node.id) names.add(node.id.name);
      if (node.type !== 'ArrowFunctionExpression') names.add('arguments');
      for (const p of node.params) add(boundNames(p));
      if (node.body.type === 'BlockStatement') add(varScoped(node.body));
    } else if (node.type === 'BlockStatement' || node.type === 'StaticBlock') {
      add(lexical((node as unknown as { body: Node[] }).body));
    } else if (node.type === 'SwitchStatement') {
      for (const c of (node as unknown as { cases: Array<{ consequent: Node[] }> }).cases) add(lexical(c.consequent));
    } else if (node.type === 'ForStatement' || node.type === 'ForInStatement' || node.type === 'ForOfStatement') {
      const decl = (node as unknown as { init?: Node | null; left?: Node }).init ?? (node as unknown as { left?: Node }).left;
      if (decl?.type === 'VariableDeclaration') add(declarators(decl));
    } else if (node.type === 'CatchClause') {
      add(boundNames((node as unknown as { param: Pattern | null }).param));
    } else if (node.type === 'ClassExpression' || node.type === 'ClassDeclaration') {
      const id = (node as unknown as { id?: { name: string } | null }).id;
      if (id) names.add(id.name);
    }
  }
  return names;
}

/**
 * The variables an injected snapshot captures at a place: every name declared in the scopes around it,
 * innermost scope first (a shadowed outer name is the inner one's, so it appears once), enclosing closures and the
 * module's top level included. Not `arguments` (reading it materialises the object, and sloppy-mode arguments
 * alias the parameters) and not CommonJS's wrapper names (require, module, exports: the same in every file).
 */
export function visibleNames(ancestors: readonly Node[]): string[] {
  const out = new Set<string>();
  // Outside the innermost function, only names its code already reads: V8 keeps an outer variable in the closure's
  // context only when some inner function uses it, and a live edit that makes the function read a new one is
  // answered Ok while existing closures keep running the old code (the probe would silently never run).
  let fn = -1;
  for (let i = ancestors.length - 1; i >= 0 && fn < 0; i--) if (isFunction(ancestors[i]!)) fn = i;
  const used = fn >= 0 ? referencedNames(ancestors[fn]!) : undefined;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    for (const name of declaredNames([ancestors[i]!], false)) {
      // a function expression's own name is a binding of its own too: only when its code already reads it
      const ownName = i === fn && (ancestors[fn] as { id?: { name: string } | null }).id?.name === name;
      if (name === 'arguments' || ((i < fn || ownName) && !used!.has(name))) continue;
      out.add(name);
    }
  }
  return [...out];
}

/**
 * Names declared outside the innermost function around a place (its own name too, for a function expression)
 * that the function's code does not read: what an injected probe must not read. A live edit that makes a function
 * read such a name is answered Ok, but V8 gave existing closures no slot for it, so they keep running the old code
 * and the probe never runs (see visibleNames). Empty at a script's top level.
 */
export function unreadOuterNames(ancestors: readonly Node[], commonJs: boolean): Set<string> {
  let fn = -1;
  for (let i = ancestors.length - 1; i >= 0 && fn < 0; i--) if (isFunction(ancestors[i]!)) fn = i;
  if (fn < 0) return new Set();
  const node = ancestors[fn]!;
  const used = referencedNames(node);
  const ownName = node.type !== 'FunctionDeclaration' ? (node as { id?: { name: string } | null }).id?.name : undefined;
  const own = declaredNames(ancestors.slice(fn), false);
  if (ownName !== undefined) own.delete(ownName);
  const outer = declaredNames(ancestors.slice(0, fn), commonJs);
  if (ownName !== undefined) outer.add(ownName);
  return new Set([...outer].filter((name) => !own.has(name) && !used.has(name)));
}

/**
 * Of `names` (enclosing functions' variables the code at the place does not read, see unreadOuterNames), those no
 * function nested in their declaring scope reads either. V8 keeps such a variable only on its declaring function's
 * stack, not in a context: once that function returned, nothing can read it from the place — not an edit, not a
 * paused breakpoint (debug-evaluate finds no such variable). A direct `eval` in the declaring scope keeps everything.
 */
export function namesHeldByNoClosure(ancestors: readonly Node[], names: Iterable<string>): string[] {
  let fn = -1;
  for (let i = ancestors.length - 1; i >= 0 && fn < 0; i--) if (isFunction(ancestors[i]!)) fn = i;
  const out: string[] = [];
  for (const name of names) {
    if (COMMONJS_NAMES.includes(name)) continue; // the module wrapper's parameters: left to the tiers
    let d = fn - 1;
    while (d >= 0 && !declaredNames([ancestors[d]!], false).has(name)) d--;
    if (d < 0) continue;
    const scope = ancestors[d]!;
    if (!readByNestedFunction(scope, name, isFunction(scope)) && !hasDirectEval(scope)) out.push(name);
  }
  return out;
}

/** Whether a function nested in `node` (not `node` itself) reads `name`. Over-approximates (shadowing ignored): held. */
function readByNestedFunction(node: Node, name: string, skipSelf: boolean): boolean {
  if (!skipSelf && isFunction(node)) return referencedNames(node).has(name);
  return childNodes(node).some((child) => readByNestedFunction(child, name, false));
}

function hasDirectEval(node: Node): boolean {
  const n = node as unknown as { type: string; callee?: { type: string; name?: string } };
  if (n.type === 'CallExpression' && n.callee?.type === 'Identifier' && n.callee.name === 'eval') return true;
  return childNodes(node).some(hasDirectEval);
}

/** Identifiers `node` reads or writes as variables (not declarations, property names, keys or labels), nested functions included. */
function referencedNames(node: Node, out = new Set<string>()): Set<string> {
  const n = node as unknown as Record<string, unknown> & { type: string };
  if (n.type === 'Identifier') {
    out.add(n.name as string);
    return out;
  }
  for (const child of childNodes(node)) {
    if (n.type === 'MemberExpression' && child === n.property && !n.computed) continue;
    if ((n.type === 'Property' || n.type === 'MethodDefinition' || n.type === 'PropertyDefinition') && child === n.key && !n.computed && !(n.type === 'Property' && n.shorthand)) continue;
    if ((n.type === 'LabeledStatement' || n.type === 'BreakStatement' || n.type === 'ContinueStatement') && child === n.label) continue;
    // declarations are not reads: a function's own name, params, declared variables (over-excluding only loses names)
    if ((isFunction(node) || n.type === 'ClassDeclaration' || n.type === 'ClassExpression') && (child === n.id || (isFunction(node) && (n.params as Node[]).includes(child)))) continue;
    if ((n.type === 'VariableDeclarator' && child === n.id) || (n.type === 'CatchClause' && child === n.param)) continue;
    referencedNames(child, out);
  }
  return out;
}

/** let/const/class/function declared directly in a statement list, and imports. */
function lexical(statements: readonly Node[]): string[] {
  const out: string[] = [];
  for (const s of statements) {
    const node = s.type === 'ExportNamedDeclaration' || s.type === 'ExportDefaultDeclaration' ? ((s as unknown as { declaration?: Node | null }).declaration ?? s) : s;
    if (node.type === 'VariableDeclaration') out.push(...declarators(node));
    else if (node.type === 'FunctionDeclaration' || node.type === 'ClassDeclaration') {
      const id = (node as unknown as { id?: { name: string } | null }).id;
      if (id) out.push(id.name);
    } else if (node.type === 'ImportDeclaration') {
      for (const spec of (node as unknown as { specifiers: Array<{ local: { name: string } }> }).specifiers) out.push(spec.local.name);
    }
  }
  return out;
}

/** `var` names and function declarations anywhere in a function body (or program), not inside nested functions. */
function varScoped(body: Node): string[] {
  const out: string[] = [];
  const visit = (node: Node) => {
    if (node.type === 'VariableDeclaration' && (node as unknown as { kind: string }).kind === 'var') out.push(...declarators(node));
    if (node.type === 'FunctionDeclaration') {
      const id = (node as unknown as { id?: { name: string } | null }).id;
      if (id) out.push(id.name);
      return;
    }
    if (isFunction(node) || node.type === 'ClassExpression' || node.type === 'ClassDeclaration') return;
    for (const child of childNodes(node)) visit(child);
  };
  for (const child of childNodes(body)) visit(child);
  return out;
}

function declarators(decl: Node): string[] {
  const out: string[] = [];
  for (const d of (decl as unknown as { declarations: Array<{ id: Pattern }> }).declarations) boundNames(d.id, out);
  return out;
}
