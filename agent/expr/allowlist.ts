/**
 * The only calls a probe expression may make. Each one names a function *we* implement over captured
 * intrinsics (agent/expr/calls.ts), never the program's binding of that name: a probe that says `String(x)` or
 * `s.slice(1)` cannot reach a shadowed `String` or a monkey-patched `String.prototype.slice`. Everything here
 * is pure: it reads its arguments, never changes anything, and never converts an object to a primitive.
 */

/** `String(x)`, `isNaN(x)`, …: primitives only (objects are refused, so no valueOf/toString runs). */
export const GLOBAL_FUNCTIONS = ['String', 'Number', 'Boolean', 'isNaN', 'isFinite', 'parseInt', 'parseFloat'] as const;

/** `Math.max(a, b)`, `Array.isArray(x)`, …, keyed by namespace. Math.random is left out: it advances PRNG state. */
export const NAMESPACE_FUNCTIONS: Readonly<Record<string, readonly string[]>> = {
  Math: ['abs', 'ceil', 'floor', 'round', 'trunc', 'sign', 'sqrt', 'cbrt', 'min', 'max', 'pow', 'log', 'log2', 'log10', 'log1p', 'exp', 'expm1', 'hypot', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'fround', 'clz32'],
  Number: ['isNaN', 'isFinite', 'isInteger', 'isSafeInteger', 'parseFloat', 'parseInt'],
  Array: ['isArray'],
  Object: ['keys'],
  Date: ['now'],
};

/** Methods on string receivers. Length-growing ones (padStart/padEnd) are capped; repeat is left out. */
export const STRING_METHODS = [
  'at', 'charAt', 'charCodeAt', 'codePointAt', 'endsWith', 'includes', 'indexOf', 'lastIndexOf', 'localeCompare',
  'normalize', 'padEnd', 'padStart', 'slice', 'split', 'startsWith', 'substring', 'toLowerCase', 'toUpperCase',
  'trim', 'trimEnd', 'trimStart', 'toString',
] as const;

/** Methods on real (non-Proxy) arrays, re-implemented to read elements without invoking getters. */
export const ARRAY_METHODS = ['at', 'includes', 'indexOf', 'lastIndexOf', 'slice'] as const;

/** Methods on number receivers. */
export const NUMBER_METHODS = ['toFixed', 'toPrecision', 'toString'] as const;

const METHOD_NAMES = new Set<string>([...STRING_METHODS, ...ARRAY_METHODS, ...NUMBER_METHODS]);
const GLOBAL_NAMES = new Set<string>(GLOBAL_FUNCTIONS);

export function isAllowedGlobalFunction(name: string): boolean {
  return GLOBAL_NAMES.has(name);
}

export function isAllowedNamespaceFunction(namespace: string, name: string): boolean {
  return Object.hasOwn(NAMESPACE_FUNCTIONS, namespace) && NAMESPACE_FUNCTIONS[namespace]!.includes(name);
}

export function isAllowedMethod(name: string): boolean {
  return METHOD_NAMES.has(name);
}

/** One line naming what may be called, for rejection messages. */
export function describeAllowedCalls(): string {
  return 'String(), Number(), Boolean(), isNaN(), isFinite(), parseInt(), parseFloat(), Math.*(), Number.isNaN() and friends, Array.isArray(), Object.keys(), Date.now(), and string/array/number methods such as slice(), includes(), indexOf(), toUpperCase(), toFixed()';
}

/** Identifiers probe code uses for itself: a probe expression may not name them. */
export const RESERVED_PREFIX = '__runtruth';

/** The global through which probe code reaches the guard runtime (see agent/globalSlot.ts). */
export const RUNTIME_GLOBAL = '__runtruth$rt';

/**
 * How a breakpoint condition reaches the same runtime: as a property of BigInt.prototype, read through a literal.
 * V8 evaluates a condition in a debug-evaluate scope where every *global* name lookup walks the paused frame's
 * scope chain through its locals-blocklist cache; on Node 20 one global read made a breakpoint hit cost 1.25–1.4×
 * a bare `false` condition, while `0n.<name>` (a property load, no name lookup) costs no more than `false`. The
 * global stays as the fallback for a program that froze BigInt.prototype: `||` looks it up only then.
 */
export const BREAKPOINT_RUNTIME = `(0n.${RUNTIME_GLOBAL} || ${RUNTIME_GLOBAL})`;
