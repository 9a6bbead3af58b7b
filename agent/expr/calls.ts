import { ARRAY_METHODS, GLOBAL_FUNCTIONS, NAMESPACE_FUNCTIONS, NUMBER_METHODS, STRING_METHODS } from './allowlist';
import { GuardRefusal, lookup, prim, SHORT } from './guards';
import { $append, $apply, $freeze, $isArray, $isProxy, $isTypedArray, $keys, $max, $min, $Number, $setHas, $trunc, $TypeError } from './intrinsics';

/**
 * Our implementations of the calls in allowlist.ts, over intrinsics captured when this module loads. Arguments
 * must be primitives wherever the built-in would coerce them; array methods read elements through descriptors
 * (an index getter is refused, not run) and stop at a bound, so no call can loop for long or grow memory.
 */

type Fn = (...args: unknown[]) => unknown;

/** Longest array an array method scans or copies, and longest collection Object.keys lists. */
export const MAX_SCAN = 100_000;
/** Longest string padStart/padEnd may produce. */
const MAX_PADDED_LENGTH = 10_000;

const globals: Record<string, Fn> = { String, Number, Boolean, isNaN, isFinite, parseInt, parseFloat } as unknown as Record<string, Fn>;
const namespaces: Record<string, Record<string, Fn>> = { Math, Number, Array, Object, Date } as unknown as Record<string, Record<string, Fn>>;

/** Functions that take any value (they never coerce): everything else gets primitives only. */
const TAKES_ANY = new Set(['Boolean', 'Number.isNaN', 'Number.isFinite', 'Number.isInteger', 'Number.isSafeInteger', 'Array.isArray']);

function primitives(args: unknown[], from = 0): void {
  for (let i = from; i < args.length; i++) prim(args[i]);
}

function guarded(name: string, fn: Fn, self: unknown): Fn {
  if ($setHas(TAKES_ANY, name)) return (...args) => $apply(fn, self, args);
  return (...args) => {
    primitives(args);
    return $apply(fn, self, args);
  };
}

function objectKeys(value: unknown): unknown {
  if (value === null || value === undefined) throw new $TypeError('Cannot convert undefined or null to object');
  if ($isProxy(value)) throw new GuardRefusal('Object.keys of a Proxy would run its traps');
  if (($isArray(value) || $isTypedArray(value)) && (value as ArrayLike<unknown>).length > MAX_SCAN) throw new GuardRefusal(`Object.keys of a collection over ${MAX_SCAN} items`);
  return $keys(value);
}

function table<T>(entries: Array<[string, T]>): Readonly<Record<string, T>> {
  const out = Object.create(null) as Record<string, T>;
  for (const [k, v] of entries) out[k] = v;
  return $freeze(out);
}

/** `String(x)`, `Math.max(a, b)`, … by name ("String", "Math.max"). */
export const functions: Readonly<Record<string, Fn>> = table([
  ...GLOBAL_FUNCTIONS.map((name): [string, Fn] => [name, guarded(name, globals[name]!, undefined)]),
  ...Object.entries(NAMESPACE_FUNCTIONS).flatMap(([ns, names]) =>
    names.map((name): [string, Fn] => {
      const qualified = `${ns}.${name}`;
      return [qualified, qualified === 'Object.keys' ? objectKeys : guarded(qualified, namespaces[ns]![name]!, namespaces[ns])];
    }),
  ),
]);

const stringMethods = table(STRING_METHODS.map((m): [string, Fn] => [m, (String.prototype as unknown as Record<string, Fn>)[m]!]));
const numberMethods = table(NUMBER_METHODS.map((m): [string, Fn] => [m, (Number.prototype as unknown as Record<string, Fn>)[m]!]));
const arrayMethods = table(ARRAY_METHODS.map((m): [string, true] => [m, true]));

/** `receiver.name(...args)` for an allowlisted method on a receiver of the right kind. */
export function method(receiver: unknown, name: string, args: unknown[]): unknown {
  if (receiver === SHORT) return SHORT;
  // a search value is only compared (SameValueZero); every other argument would be coerced
  primitives(args, arrayMethods[name] && name !== 'slice' && name !== 'at' && $isArray(receiver) ? 1 : 0);
  if (typeof receiver === 'string' && stringMethods[name]) {
    if ((name === 'padStart' || name === 'padEnd') && $Number(args[0]) > MAX_PADDED_LENGTH) throw new GuardRefusal(`${name} past ${MAX_PADDED_LENGTH} characters`);
    return $apply(stringMethods[name], receiver, args);
  }
  if (typeof receiver === 'number' && numberMethods[name]) return $apply(numberMethods[name], receiver, args);
  if ($isArray(receiver) && arrayMethods[name]) {
    if ($isProxy(receiver)) throw new GuardRefusal(`.${name}() on a Proxy would run its traps`);
    return arrayMethod(receiver as unknown[], name, args);
  }
  if (receiver === null || receiver === undefined) throw new $TypeError(`Cannot read properties of ${receiver} (reading '${name}')`);
  throw new GuardRefusal(`.${name}() is only allowed on ${kindsFor(name)}, not on ${describeKind(receiver)}`);
}

/** `receiver?.name(...args)`. */
export function optionalMethod(receiver: unknown, name: string, args: unknown[]): unknown {
  return receiver === null || receiver === undefined ? SHORT : method(receiver, name, args);
}

function arrayMethod(array: unknown[], name: string, args: unknown[]): unknown {
  const length = array.length;
  const at = (i: number) => lookup(array, i, array);
  const integer = (value: unknown) => $trunc($Number(value)) || 0;
  const relative = (value: unknown, fallback: number) => {
    if (value === undefined) return fallback;
    const n = integer(value);
    return n < 0 ? $max(length + n, 0) : $min(n, length);
  };
  switch (name) {
    case 'at': {
      const n = integer(args[0]);
      const i = n < 0 ? length + n : n;
      return i < 0 || i >= length ? undefined : at(i);
    }
    case 'includes':
    case 'indexOf': {
      const from = relative(args[1], 0);
      bounded(name, length - from);
      for (let i = from; i < length; i++) {
        const v = at(i);
        if (v === args[0] || (name === 'includes' && v !== v && args[0] !== args[0])) return name === 'includes' ? true : i;
      }
      return name === 'includes' ? false : -1;
    }
    case 'lastIndexOf': {
      const from = args.length > 1 ? integer(args[1]) : length - 1;
      const start = from < 0 ? length + from : $min(from, length - 1);
      bounded(name, start + 1);
      for (let i = start; i >= 0; i--) if (at(i) === args[0]) return i;
      return -1;
    }
    default: {
      const start = relative(args[0], 0);
      const stop = relative(args[1], length);
      bounded(name, stop - start);
      const out: unknown[] = [];
      for (let i = start; i < stop; i++) $append(out, at(i));
      return out;
    }
  }
}

function bounded(name: string, count: number): void {
  if (count > MAX_SCAN) throw new GuardRefusal(`.${name}() over ${count} array items (the limit is ${MAX_SCAN})`);
}

function kindsFor(name: string): string {
  let kinds = stringMethods[name] ? 'strings' : '';
  if (arrayMethods[name]) kinds += kinds ? ' and arrays' : 'arrays';
  if (numberMethods[name]) kinds += kinds ? ' and numbers' : 'numbers';
  return kinds;
}

function describeKind(value: unknown): string {
  if (typeof value !== 'object' || value === null) return typeof value === 'function' ? 'a function' : `a ${typeof value}`;
  return $isProxy(value) ? 'a Proxy' : $isArray(value) ? 'an array' : 'an object';
}
