import { types } from 'node:util';

/**
 * Built-ins the guard runtime uses, captured when the agent loads (before probes run). Probe code runs inside
 * the program, and a program may have patched `Set.prototype.has`, `Array.prototype.push` or `globalThis.String`:
 * calling those from a probe would run program code. Captured, call-bound copies cannot be reached that way
 * (the technique Node's own internals use, "primordials").
 */

/** `uncurryThis(fn)(self, ...args)` is `fn.call(self, ...args)`, without looking anything up at call time. */
export const $callBind = Function.prototype.bind.bind(Function.prototype.call) as <T extends (...args: never[]) => unknown>(fn: T) => (self: unknown, ...args: Parameters<T>) => ReturnType<T>;

export const $String = String;
export const $Number = Number;
export const $BigInt = BigInt;
export const $TypeError = TypeError;
export const $ReferenceError = ReferenceError;
export const { trunc: $trunc, max: $max, min: $min } = Math;
export const { getOwnPropertyDescriptor: $getOwnPropertyDescriptor, getPrototypeOf: $getPrototypeOf, hasOwn: $hasOwn, keys: $keys, defineProperty: $defineProperty, freeze: $freeze } = Object;
export const $Object = Object;
export const { apply: $apply } = Reflect;
export const { isArray: $isArray } = Array;
export const { isProxy: $isProxy, isTypedArray: $isTypedArray } = types;
export const $setHas = $callBind(Set.prototype.has) as (set: Set<unknown>, value: unknown) => boolean;
export const $bigintToString = $callBind(BigInt.prototype.toString) as (value: bigint, radix?: number) => string;
export const $symbolToString = $callBind(Symbol.prototype.toString) as (value: symbol) => string;
export const $mapEntries = $callBind(Map.prototype.entries) as <K, V>(map: Map<K, V>) => IterableIterator<[K, V]>;
export const $mapIteratorNext = $callBind(Object.getPrototypeOf(new Map().entries()).next as () => IteratorResult<unknown>) as <T>(iterator: IterableIterator<T>) => IteratorResult<T>;
export const $mapSet = $callBind(Map.prototype.set) as <K, V>(map: Map<K, V>, key: K, value: V) => Map<K, V>;
export const $Map = Map;
export const $mapGet = $callBind(Map.prototype.get) as <K, V>(map: Map<K, V>, key: K) => V | undefined;
export const $stringIncludes = $callBind(String.prototype.includes) as (text: string, search: string) => boolean;
export const $stringSlice = $callBind(String.prototype.slice) as (text: string, start?: number, end?: number) => string;
export const $stringCharCodeAt = $callBind(String.prototype.charCodeAt) as (text: string, index: number) => number;
export const $stringToLowerCase = $callBind(String.prototype.toLowerCase) as (text: string) => string;
/**
 * The exec built-in itself. RegExp.prototype.test, String.prototype.replace/matchAll and the rest look `exec` (and
 * @@replace, @@matchAll) up on the regexp at call time, so a program that replaced RegExp.prototype.exec would run
 * from inside a hit; everything regexp-shaped on the program's thread goes through this instead.
 */
export const $regexpExec = $callBind(RegExp.prototype.exec) as (re: RegExp, text: string) => RegExpExecArray | null;
export const $Set = Set;
export const $RegExp = RegExp;
export const $setAdd = $callBind(Set.prototype.add) as <T>(set: Set<T>, value: T) => Set<T>;
export const $setValues = $callBind(Set.prototype.values) as <T>(set: Set<T>) => IterableIterator<T>;
export const $setIteratorNext = $callBind(Object.getPrototypeOf(new Set().values()).next as () => IteratorResult<unknown>) as <T>(iterator: IterableIterator<T>) => IteratorResult<T>;
export const $ownKeys = Reflect.ownKeys;
export const $arraySlice = $callBind(Array.prototype.slice) as <T>(array: readonly T[], start?: number, end?: number) => T[];
export const { isFinite: $isFinite } = Number;
export const { floor: $floor, ceil: $ceil, random: $random } = Math;
export const $Float64Array = Float64Array;
export const $typedArraySort = $callBind(Object.getPrototypeOf(Uint8Array.prototype).sort as () => unknown) as (array: Float64Array) => Float64Array;

/**
 * A Map whose methods are its own copies of the originals, on a frozen prototype (what Node's primordials call
 * SafeMap): a program that replaced Map.prototype.get or .forEach does not reach the agent's tables. Iterate it
 * with forEach (native, no iterator objects), not for-of: %MapIteratorPrototype%.next is still the program's.
 */
export class $SafeMap<K, V> extends Map<K, V> {
  constructor() {
    super();
  }
}
for (const key of Reflect.ownKeys(Map.prototype)) {
  if (key !== 'constructor') Object.defineProperty($SafeMap.prototype, key, Object.getOwnPropertyDescriptor(Map.prototype, key)!);
}
Object.freeze($SafeMap.prototype);
export const { create: $create } = Object;

/** Whether `re` matches `text` (from the start, whatever its lastIndex was), through the captured exec. */
export function $regexpTest(re: RegExp, text: string): boolean {
  re.lastIndex = 0;
  const found = $regexpExec(re, text) !== null;
  re.lastIndex = 0;
  return found;
}

/**
 * Calls `each` for every match of a global regexp, through the captured exec (what `text.matchAll(re)` does,
 * without looking anything up on the regexp or String.prototype).
 */
export function $eachMatch(re: RegExp, text: string, each: (match: RegExpExecArray) => void): void {
  re.lastIndex = 0;
  for (let m = $regexpExec(re, text); m !== null; m = $regexpExec(re, text)) {
    each(m);
    if (m[0].length === 0) re.lastIndex++; // an empty match: step past it
  }
  re.lastIndex = 0;
}

/** `text.replace(re, (…) => …)` for a global regexp, through the captured exec and slice. */
export function $replaceEach(text: string, re: RegExp, replacement: (match: RegExpExecArray) => string): string {
  let out = '';
  let from = 0;
  $eachMatch(re, text, (m) => {
    out += $stringSlice(text, from, m.index) + replacement(m);
    from = m.index + m[0].length;
  });
  return from === 0 && out === '' ? text : out + $stringSlice(text, from);
}

const { setPrototypeOf: $setPrototypeOf } = Object;

/**
 * A new array without a prototype, for lists the agent builds on the program's thread: appending to it
 * (`$append`) is a plain store (~35 ns), since no Array.prototype setter can be in the way. Structured clone and
 * JSON treat it as any array; do not hand one to util.inspect (it would print "[Array: null prototype]").
 */
export function $list<T>(): T[] {
  return $setPrototypeOf([], null) as T[];
}

/**
 * Appends to an array we own, without consulting Array.prototype (push, or setters a program put on indexes): a
 * plain store into a `$list`, else defineProperty (~500 ns an element: V8 takes its slow path for that).
 */
export function $append(array: unknown[], value: unknown): void {
  if ($getPrototypeOf(array) === null) array[array.length] = value;
  else $defineProperty(array, array.length, { __proto__: null, value, writable: true, enumerable: true, configurable: true } as PropertyDescriptor);
}
