import { parseExpressionAt, type CallExpression, type Expression, type Node, type PrivateIdentifier, type Property, type SpreadElement, type Super } from 'acorn';
import { describeAllowedCalls, isAllowedGlobalFunction, isAllowedMethod, isAllowedNamespaceFunction, RESERVED_PREFIX } from '../expr/allowlist';
import { expressionDepth, MAX_EXPRESSION_DEPTH } from '../expr/depth';

/** Property names that reach into prototypes or constructors: reading them is the first step of every escape. */
const FORBIDDEN_PROPERTIES = new Set(['constructor', '__proto__', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

/** Thrown for an expression that does not parse or is not a plain read. */
export class ExpressionRejected extends Error {
  constructor(
    readonly source: string,
    readonly problem: string,
  ) {
    super(`expression "${clip(source)}" ${problem}`);
    this.name = 'ExpressionRejected';
  }
}

/**
 * Accepts only expressions that read: identifiers, literals, member access, operators, array/object literals, and
 * calls to the pure built-ins of agent/expr/allowlist.ts. Other calls, assignments, ++/--, delete, new,
 * function/class literals, await/yield, sequences and tagged templates are rejected by syntax. Getters, Proxy
 * traps and implicit valueOf/toString are kept out at run time: agent/expr compiles the checked expression into
 * guarded code (property reads through descriptors, primitives only where JS would coerce).
 */
export function assertReadOnly(source: string): void {
  let node: Expression;
  try {
    // preserveParens: otherwise a wholly parenthesised expression, `(a || b)`, ends before its ")"
    node = parseExpressionAt(source, 0, { ecmaVersion: 'latest', preserveParens: true });
  } catch (e) {
    throw new ExpressionRejected(source, `does not parse: ${e instanceof Error ? e.message : String(e)}`);
  }
  const rest = source.slice(node.end);
  if (rest.trim()) throw new ExpressionRejected(source, `has unexpected text after the expression: "${clip(rest.trim())}"`);
  const depth = expressionDepth(node);
  if (depth > MAX_EXPRESSION_DEPTH) throw new ExpressionRejected(source, `is nested too deeply (${depth} levels; at most ${MAX_EXPRESSION_DEPTH})`);
  const problem = findWrite(node);
  if (problem) throw new ExpressionRejected(source, `is not read-only: ${problem}`);
}

/** The first construct in `node` that is not a plain read, described for a person; undefined when it is all reads. */
function findWrite(node: Expression | SpreadElement | Super | PrivateIdentifier | Property | Node | null): string | undefined {
  if (!node) return undefined;
  const n = node as Expression | SpreadElement | Super | PrivateIdentifier | Property;
  switch (n.type) {
    case 'Identifier':
      return n.name.startsWith(RESERVED_PREFIX) ? `identifiers starting with ${RESERVED_PREFIX} are reserved for the agent` : undefined;
    case 'Literal':
    case 'ThisExpression':
      return undefined;
    case 'TemplateLiteral':
      return first(n.expressions);
    case 'MemberExpression': {
      if (n.object.type === 'Super') return '`super` is not allowed';
      if (n.property.type === 'PrivateIdentifier') return 'private fields (#name) are not supported';
      const name = propertyName(n.property, n.computed);
      if (n.computed && name === undefined && n.property.type !== 'Identifier') return 'computed property keys must be a literal or an identifier';
      if (name !== undefined && FORBIDDEN_PROPERTIES.has(name)) return `the property "${name}" is not allowed`;
      return findWrite(n.object) ?? (n.computed ? findWrite(n.property) : undefined);
    }
    case 'ChainExpression':
    case 'ParenthesizedExpression':
      return findWrite(n.expression);
    case 'UnaryExpression':
      return n.operator === 'delete' ? '`delete` is not allowed' : findWrite(n.argument);
    case 'BinaryExpression':
      return findWrite(n.left) ?? findWrite(n.right);
    case 'LogicalExpression':
      return findWrite(n.left) ?? findWrite(n.right);
    case 'ConditionalExpression':
      return findWrite(n.test) ?? findWrite(n.consequent) ?? findWrite(n.alternate);
    case 'ArrayExpression':
      return first(n.elements);
    case 'ObjectExpression':
      return first(n.properties);
    case 'Property': {
      if (n.kind !== 'init' || n.method) return 'object methods, getters and setters are not allowed';
      const key = propertyName(n.key, n.computed);
      if (n.computed && key === undefined) return 'computed object keys must be a literal';
      if (key === '__proto__') return 'the property "__proto__" is not allowed';
      return findWrite(n.value);
    }
    case 'CallExpression':
      return findDisallowedCall(n) ?? first(n.arguments);
    case 'NewExpression':
      return '`new` is not allowed';
    case 'AssignmentExpression':
      return 'assignments are not allowed';
    case 'UpdateExpression':
      return '++ and -- are not allowed';
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      return 'function literals are not allowed';
    case 'ClassExpression':
      return 'class literals are not allowed';
    case 'AwaitExpression':
      return '`await` is not allowed';
    case 'YieldExpression':
      return '`yield` is not allowed';
    case 'SequenceExpression':
      return 'comma sequences are not allowed';
    case 'TaggedTemplateExpression':
      return 'tagged templates are not allowed';
    case 'SpreadElement':
      return 'spread (...) is not allowed';
    case 'ImportExpression':
      return 'import() is not allowed';
    case 'MetaProperty':
      return `${n.meta.name}.${n.property.name} is not allowed`;
    default:
      return `${n.type} is not allowed`;
  }
}

/** Calls are allowed only to the pure built-ins of agent/expr/allowlist.ts (which the compiler maps to our own code). */
function findDisallowedCall(n: CallExpression): string | undefined {
  if (n.optional) return 'optional calls ?.() are not supported';
  const callee = n.callee;
  if (callee.type === 'Identifier' && isAllowedGlobalFunction(callee.name)) return undefined;
  if (callee.type === 'MemberExpression' && callee.object.type !== 'Super') {
    const name = callee.property.type === 'PrivateIdentifier' ? undefined : propertyName(callee.property, callee.computed);
    if (name !== undefined && callee.object.type === 'Identifier' && isAllowedNamespaceFunction(callee.object.name, name)) return undefined;
    if (name !== undefined && isAllowedMethod(name)) return findWrite(callee.object);
  }
  const what = callee.type === 'Identifier' ? `${callee.name}()` : callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier' ? `.${callee.property.name}()` : 'this call';
  return `calls are not allowed except to pure built-ins (${describeAllowedCalls()}); ${what} is not one of them`;
}

function first(nodes: ReadonlyArray<Parameters<typeof findWrite>[0]>): string | undefined {
  for (const n of nodes) {
    const problem = findWrite(n);
    if (problem) return problem;
  }
  return undefined;
}

/** The static name of a property key, when it has one. */
function propertyName(key: Expression | PrivateIdentifier, computed: boolean): string | undefined {
  if (!computed && key.type === 'Identifier') return key.name;
  if (key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  return undefined;
}

function clip(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
