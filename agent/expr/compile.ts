import { parseExpressionAt, type Expression, type Literal, type Node, type PrivateIdentifier, type Property, type SpreadElement, type Super, type TemplateLiteral } from 'acorn';
import { isAllowedGlobalFunction, isAllowedNamespaceFunction, RUNTIME_GLOBAL } from './allowlist';
import { assertReadOnly } from '../probe/readOnly';

export interface CompileOptions {
  /**
   * Whether a scope enclosing the probe declares `name` (then it is read as the program reads it). Other names
   * are globals, read from globalThis through the guard. Without this, every name is read as written (the
   * breakpoint tier evaluates in the paused frame, where V8 resolves names itself: a name is then checked not
   * to be a global accessor before it is read).
   */
  isDeclared?: (name: string) => boolean;
}

/** Names that mean a constant unless the program declares them. */
const CONSTANT_GLOBALS: Record<string, string> = { undefined: '(void 0)', NaN: '(0 / 0)', Infinity: '(1 / 0)' };

/** Binary operators that never coerce (`===`) or that the guard runtime implements itself. */
const GUARDED_BINARY: Record<string, (l: string, r: string) => string> = {
  '===': (l, r) => `(${l} === ${r})`,
  '!==': (l, r) => `(${l} !== ${r})`,
  '==': (l, r) => `${RUNTIME_GLOBAL}.eq(${l}, ${r})`,
  '!=': (l, r) => `(!${RUNTIME_GLOBAL}.eq(${l}, ${r}))`,
  '**': (l, r) => `${RUNTIME_GLOBAL}.pow(${l}, ${r})`,
  '<<': (l, r) => `${RUNTIME_GLOBAL}.shl(${l}, ${r})`,
  in: (l, r) => `${RUNTIME_GLOBAL}.has(${l}, ${r})`,
  instanceof: (l, r) => `${RUNTIME_GLOBAL}.inst(${l}, ${r})`,
};

/**
 * Compiles a read-only expression (checked by assertReadOnly, so it is rejected with the same words as
 * everywhere else) into guarded JS on one line: property reads, coercions, `in`, `instanceof` and calls go
 * through the guard runtime at `globalThis.__runtruth$rt`, so evaluating it never runs program code: no getter,
 * no Proxy trap, no valueOf/toString, no program function. It may throw (a TypeError reading a property of
 * undefined, a refusal): callers wrap it.
 */
export function compileExpression(source: string, options: CompileOptions = {}): string {
  assertReadOnly(source);
  const node = parseExpressionAt(source, 0, { ecmaVersion: 'latest', preserveParens: true });
  return new Compiler(options.isDeclared).emit(node);
}

class Compiler {
  constructor(private readonly isDeclared?: (name: string) => boolean) {}

  emit(node: Expression | SpreadElement | Super | PrivateIdentifier | Property | Node): string {
    const n = node as Expression;
    const R = RUNTIME_GLOBAL;
    switch (n.type) {
      case 'Literal':
        return literal(n);
      case 'Identifier':
        return this.identifier(n.name);
      case 'ThisExpression':
        return 'this';
      case 'TemplateLiteral':
        return this.template(n);
      case 'MemberExpression': {
        const key = n.computed ? this.emit(n.property) : JSON.stringify((n.property as { name: string }).name);
        return `${R}.${n.optional ? 'oget' : 'get'}(${this.emit(n.object)}, ${key})`;
      }
      case 'ChainExpression':
        return `${R}.end(${this.emit(n.expression)})`;
      case 'ParenthesizedExpression':
        return this.emit(n.expression); // every emitted operation is parenthesised already
      case 'UnaryExpression': {
        if (n.operator === 'typeof' && n.argument.type === 'Identifier') {
          const name = n.argument.name;
          if (this.isDeclared === undefined) return `(${R}.gc(${JSON.stringify(name)}), typeof ${name})`;
          return this.isDeclared(name) ? `(typeof ${name})` : `${R}.tg(${JSON.stringify(name)})`;
        }
        if (n.operator === 'typeof') return `(typeof ${this.emit(n.argument)})`;
        if (n.operator === '!' || n.operator === 'void') return `(${n.operator === 'void' ? 'void ' : '!'}${this.emit(n.argument)})`;
        return `(${n.operator}${this.primitive(n.argument)})`;
      }
      case 'BinaryExpression': {
        const guarded = GUARDED_BINARY[n.operator];
        if (guarded) return guarded(this.emit(n.left), this.emit(n.right));
        return `(${this.primitive(n.left)} ${n.operator} ${this.primitive(n.right)})`;
      }
      case 'LogicalExpression':
        return `(${this.emit(n.left)} ${n.operator} ${this.emit(n.right)})`;
      case 'ConditionalExpression':
        return `(${this.emit(n.test)} ? ${this.emit(n.consequent)} : ${this.emit(n.alternate)})`;
      case 'ArrayExpression': {
        const items = n.elements.map((e) => (e ? this.emit(e) : ''));
        return `[${items.join(', ')}${n.elements.at(-1) === null ? ',' : ''}]`;
      }
      case 'ObjectExpression':
        return `({${n.properties.map((p) => this.property(p as Property)).join(', ')}})`;
      case 'CallExpression':
        return this.call(n);
      default:
        throw new Error(`cannot compile ${n.type}`); // assertReadOnly rejects everything else first
    }
  }

  private identifier(name: string): string {
    // scope unknown (a breakpoint condition, where V8 resolves names): read as written once the name is known
    // not to be a global accessor
    if (this.isDeclared === undefined) return Object.hasOwn(CONSTANT_GLOBALS, name) ? name : `(${RUNTIME_GLOBAL}.gc(${JSON.stringify(name)}), ${name})`;
    if (this.isDeclared(name)) return name;
    return CONSTANT_GLOBALS[name] ?? `${RUNTIME_GLOBAL}.g(${JSON.stringify(name)})`;
  }

  /** A name no enclosing scope declares (only known when the compiler was given the probe's scope). */
  private isGlobal(name: string): boolean {
    return this.isDeclared !== undefined && !this.isDeclared(name);
  }

  /** An operand an operator would coerce: checked to be a primitive unless it is one by construction. */
  private primitive(node: Expression | PrivateIdentifier): string {
    const code = this.emit(node);
    return isPrimitiveByConstruction(node) ? code : `${RUNTIME_GLOBAL}.p(${code})`;
  }

  private template(n: TemplateLiteral): string {
    let out = '`';
    n.quasis.forEach((quasi, i) => {
      out += escapeTemplateText(quasi.value.cooked ?? '');
      if (i < n.expressions.length) out += '${' + this.primitive(n.expressions[i]!) + '}';
    });
    return out + '`';
  }

  private property(p: Property): string {
    const key = p.key.type === 'Identifier' && !p.computed ? p.key.name : String((p.key as Literal).value);
    return `${JSON.stringify(key)}: ${this.emit(p.value)}`;
  }

  private call(n: Extract<Expression, { type: 'CallExpression' }>): string {
    const R = RUNTIME_GLOBAL;
    const args = n.arguments.map((a) => this.emit(a));
    const callee = n.callee;
    if (callee.type === 'Identifier' && isAllowedGlobalFunction(callee.name)) return `${R}.f[${JSON.stringify(callee.name)}](${args.join(', ')})`;
    if (callee.type !== 'MemberExpression') throw new Error('cannot compile this call');
    const name = callee.computed ? String((callee.property as Literal).value) : (callee.property as { name: string }).name;
    if (callee.object.type === 'Identifier' && isAllowedNamespaceFunction(callee.object.name, name)) {
      return `${R}.f[${JSON.stringify(`${callee.object.name}.${name}`)}](${args.join(', ')})`;
    }
    return `${R}.${callee.optional ? 'om' : 'm'}(${this.emit(callee.object)}, ${JSON.stringify(name)}, [${args.join(', ')}])`;
  }
}

function literal(n: Literal): string {
  // a string's raw text may hold a line continuation; numbers, bigints and regexes are one line as written
  return typeof n.value === 'string' ? escapeLineTerminators(JSON.stringify(n.value)) : (n.raw ?? String(n.value));
}

/** Results that are primitives whatever their operands are (so no coercion check is needed on them). */
function isPrimitiveByConstruction(node: Expression | PrivateIdentifier): boolean {
  switch (node.type) {
    case 'ParenthesizedExpression':
      return isPrimitiveByConstruction(node.expression);
    case 'Literal':
      return !('regex' in node && node.regex);
    case 'TemplateLiteral':
    case 'UnaryExpression':
    case 'BinaryExpression':
      return true;
    default:
      return false;
  }
}

/** Template text as a cooked string: escapes that keep its value, and no raw line terminators (one line). */
function escapeTemplateText(cooked: string): string {
  return escapeLineTerminators(cooked.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${').replace(/\r/g, '\\r').replace(/\n/g, '\\n'));
}

/** V8 counts U+2028/U+2029 as line ends: inside injected code they would shift every line after the probe. */
function escapeLineTerminators(code: string): string {
  return code.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
