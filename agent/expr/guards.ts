import { $BigInt, $bigintToString, $getOwnPropertyDescriptor, $getPrototypeOf, $hasOwn, $isProxy, $Object, $ReferenceError, $setHas, $String, $symbolToString, $TypeError, $apply } from './intrinsics';

/**
 * The run-time half of guarded expressions (the compiler emits calls to these). Each one does what the JS
 * operator would, except that it never runs program code: property reads go through descriptors (a getter is
 * refused, not invoked), Proxies are refused before any trap can run, and operators that would convert an
 * object to a primitive (valueOf / toString / Symbol.toPrimitive) refuse objects. Built-ins come from
 * ./intrinsics, captured at load: a program that patches them later cannot reach in here.
 */

const getOwnPropertyDescriptor = $getOwnPropertyDescriptor;
const getPrototypeOf = $getPrototypeOf;
const hasOwn = $hasOwn;
const isProxy = $isProxy;
const apply = $apply;
const FUNCTION_HAS_INSTANCE = Function.prototype[Symbol.hasInstance];

/** Property names that lead to constructors and prototypes: the first step of every escape. */
const FORBIDDEN_KEYS = new Set(['constructor', '__proto__', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

/** Native getters that only read an internal slot: safe to run (Map#size, typed array length, …). */
const SAFE_GETTERS = new Set<unknown>(
  [
    [Map.prototype, 'size'],
    [Set.prototype, 'size'],
    [getPrototypeOf(Uint8Array.prototype), 'length'],
    [getPrototypeOf(Uint8Array.prototype), 'byteLength'],
    [getPrototypeOf(Uint8Array.prototype), 'byteOffset'],
    [ArrayBuffer.prototype, 'byteLength'],
    [RegExp.prototype, 'source'],
    [Symbol.prototype, 'description'],
  ].map(([target, key]) => getOwnPropertyDescriptor(target as object, key as string)?.get),
);

/** Bigint results past this many bits are refused (`2n ** 1000000000n` would take the process down). */
const MAX_BIGINT_BITS = 1_000_000;

/** Thrown when an expression would run program code or do unbounded work; rendered as `<error: refused: …>`. */
export class GuardRefusal extends Error {
  override readonly name = 'refused';
}

/** Marks "an optional chain short-circuited"; turned into undefined where the chain ends. */
export const SHORT: object = Object.freeze(Object.create(null) as object);

/** Lets the agent trust a few accessors of Node's own globals (e.g. `process`), captured before program code ran. */
export function trustGetter(getter: unknown): void {
  if (typeof getter === 'function') SAFE_GETTERS.add(getter);
}

// Node 22+ (V8 12.x) makes an error's `stack` an own accessor, one native getter shared by every error: it only
// formats the captured trace (read only while Error.prepareStackTrace is unset, see get), so it is safe to run.
trustGetter($getOwnPropertyDescriptor(new Error('probe'), 'stack')?.get);

export function describeKey(key: PropertyKey): string {
  return typeof key === 'symbol' ? $symbolToString(key) : `${key}`;
}

/** A property key from a value without running program code (an object key would call its toString). */
export function toKey(key: unknown): PropertyKey {
  const t = typeof key;
  if (t === 'string' || t === 'symbol') return key as PropertyKey;
  if (t === 'object' || t === 'function') {
    if (key !== null) throw new GuardRefusal('an object used as a property key would run its toString');
  }
  return $String(key);
}

/** The value of `obj[key]`, read through descriptors along the prototype chain. */
export function get(obj: unknown, key: unknown): unknown {
  if (obj === SHORT) return SHORT;
  const k = toKey(key);
  if (obj === null || obj === undefined) throw new $TypeError(`Cannot read properties of ${obj} (reading '${describeKey(k)}')`);
  if (typeof k === 'string' && $setHas(FORBIDDEN_KEYS, k)) throw new GuardRefusal(`the property "${k}" is not allowed`);
  if (k === 'stack') assertStackFormattingIsNative();
  const t = typeof obj;
  return lookup(t === 'object' || t === 'function' ? (obj as object) : $Object(obj), k, obj);
}

/**
 * Node 22+ installs its own Error.prepareStackTrace (named ErrorPrepareStackTrace): the one found when the agent
 * loads, if it is that, formats like V8 does and is not program code.
 */
const NODE_PREPARE_STACK_TRACE: unknown = (() => {
  const d = $getOwnPropertyDescriptor(Error, 'prepareStackTrace');
  const v: unknown = d && 'value' in d ? d.value : undefined;
  return typeof v === 'function' && v.name === 'ErrorPrepareStackTrace' ? v : undefined;
})();

/**
 * An error's `stack` is formatted lazily on first read, and Node then calls `Error.prepareStackTrace` if the
 * program set one: only read stacks while that hook is unset (checked through the guard, like any read).
 */
function assertStackFormattingIsNative(): void {
  let hook: unknown;
  try {
    hook = lookup(global('Error') as object, 'prepareStackTrace', undefined);
  } catch {
    hook = true;
  }
  if (hook !== undefined && hook !== NODE_PREPARE_STACK_TRACE) throw new GuardRefusal('reading "stack" would run the program\'s Error.prepareStackTrace');
}

/** `obj?.[key]`: short-circuits on null/undefined. */
export function oget(obj: unknown, key: unknown): unknown {
  return obj === null || obj === undefined ? SHORT : get(obj, key);
}

/** The end of an optional chain. */
export function end(value: unknown): unknown {
  return value === SHORT ? undefined : value;
}

/** Walks the prototype chain from `start`; `receiver` is what a safe native getter runs on. */
export function lookup(start: object, key: PropertyKey, receiver: unknown): unknown {
  let current: object | null = start;
  while (current !== null) {
    if (isProxy(current)) throw new GuardRefusal(`reading "${describeKey(key)}" would go through a Proxy, whose traps probes never run`);
    const d = getOwnPropertyDescriptor(current, key);
    if (d !== undefined) {
      if (hasOwn(d, 'value')) return d.value;
      if ($setHas(SAFE_GETTERS, d.get)) return apply(d.get as () => unknown, receiver, []);
      throw new GuardRefusal(`"${describeKey(key)}" is ${d.get ? 'a getter' : 'a setter-only accessor'}; probes never invoke accessors`);
    }
    current = getPrototypeOf(current) as object | null;
  }
  return undefined;
}

/** A global variable the probe names that no enclosing scope declares: read from globalThis like a property. */
export function global(name: string): unknown {
  let current: object | null = globalThis;
  while (current !== null) {
    if (isProxy(current)) throw new GuardRefusal(`reading the global "${name}" would go through a Proxy`);
    if (hasOwn(current, name)) return lookup(current, name, globalThis);
    current = getPrototypeOf(current) as object | null;
  }
  throw new $ReferenceError(`${name} is not defined`);
}

/**
 * Before reading `name` as written, where the compiler does not know the scope (a breakpoint condition): if it
 * resolves to a global, that global must not be an accessor or behind a Proxy. (A local of the same name is
 * refused too: safe, if unhelpful.)
 */
export function checkGlobal(name: string): void {
  let current: object | null = globalThis;
  while (current !== null) {
    if (isProxy(current)) throw new GuardRefusal(`"${name}" may be a global behind a Proxy`);
    const d = getOwnPropertyDescriptor(current, name);
    if (d !== undefined) {
      if (!hasOwn(d, 'value') && !$setHas(SAFE_GETTERS, d.get)) throw new GuardRefusal(`"${name}" is a global ${d.get ? 'getter' : 'setter-only accessor'}; probes never invoke accessors`);
      return;
    }
    current = getPrototypeOf(current) as object | null;
  }
}

/** `typeof name` for an undeclared name: "undefined" instead of a ReferenceError, as in JS. */
export function typeofGlobal(name: string): string {
  try {
    return typeof global(name);
  } catch (e) {
    if (e instanceof $ReferenceError) return 'undefined';
    throw e;
  }
}

/** A value an operator may coerce: anything but an object (whose valueOf/toString would run). */
export function prim<T>(value: T): T {
  const t = typeof value;
  if ((t === 'object' && value !== null) || t === 'function') {
    throw new GuardRefusal('an object would be converted to a primitive here, running its valueOf/toString; probes only compute with primitives');
  }
  return value;
}

/** `a == b` without coercing an object: object against object (identity) and against null/undefined are fine. */
export function loose(a: unknown, b: unknown): boolean {
  const aObj = (typeof a === 'object' && a !== null) || typeof a === 'function';
  const bObj = (typeof b === 'object' && b !== null) || typeof b === 'function';
  if (aObj !== bObj && !(aObj ? b === null || b === undefined : a === null || a === undefined)) prim(aObj ? a : b);
  return a == b;
}

/** `a ** b`, refusing bigint results that would be huge. */
export function pow(a: unknown, b: unknown): unknown {
  prim(a);
  prim(b);
  if (typeof a === 'bigint' && typeof b === 'bigint' && b > 0n) {
    const bits = $BigInt($bigintToString(a < 0n ? -a : a, 2).length);
    if (bits * b > $BigInt(MAX_BIGINT_BITS)) throw new GuardRefusal(`a bigint power of over ${MAX_BIGINT_BITS} bits`);
  }
  return (a as number) ** (b as number);
}

/** `a << b`, refusing huge bigint shifts. */
export function shl(a: unknown, b: unknown): unknown {
  prim(a);
  prim(b);
  if (typeof b === 'bigint' && b > $BigInt(MAX_BIGINT_BITS)) throw new GuardRefusal(`a bigint shift of over ${MAX_BIGINT_BITS} bits`);
  return (a as number) << (b as number);
}

/** `key in obj`, refusing Proxies (their `has` trap) along the chain. */
export function has(key: unknown, obj: unknown): boolean {
  const k = toKey(key);
  if ((typeof obj !== 'object' || obj === null) && typeof obj !== 'function') throw new $TypeError(`Cannot use 'in' operator to search for '${describeKey(k)}' in ${$String(obj)}`);
  let current: object | null = obj as object;
  while (current !== null) {
    if (isProxy(current)) throw new GuardRefusal('`in` would go through a Proxy, whose traps probes never run');
    if (hasOwn(current, k)) return true;
    current = getPrototypeOf(current) as object | null;
  }
  return false;
}

/** `value instanceof ctor` when it runs no program code: the standard Symbol.hasInstance and a data `prototype`. */
export function instanceOf(value: unknown, ctor: unknown): boolean {
  if (typeof ctor !== 'function') throw new $TypeError("Right-hand side of 'instanceof' is not callable");
  if (lookup(ctor, Symbol.hasInstance, ctor) !== FUNCTION_HAS_INSTANCE) throw new GuardRefusal('the right-hand side has its own Symbol.hasInstance');
  const proto = lookup(ctor, 'prototype', ctor);
  if (typeof proto !== 'object' || proto === null) throw new GuardRefusal('the right-hand side has no prototype object (a bound or arrow function?)');
  if ((typeof value !== 'object' || value === null) && typeof value !== 'function') return false;
  let current: object | null = value as object;
  for (;;) {
    if (isProxy(current)) throw new GuardRefusal('instanceof would go through a Proxy, whose traps probes never run');
    current = getPrototypeOf(current) as object | null;
    if (current === null) return false;
    if (current === proto) return true;
  }
}
