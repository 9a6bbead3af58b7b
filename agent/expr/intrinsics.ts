import { types } from 'node:util';

/**
 * Built-ins the guard runtime uses, captured when the agent loads (before probes run). Probe code runs inside
 * the program, and a program may have patched `Set.prototype.has`, `Array.prototype.push` or `globalThis.String`:
 * calling those from a probe would run program code. Captured, call-bound copies cannot be reached that way
 * (the technique Node's own internals use, "primordials").
 */

/** `uncurryThis(fn)(self, ...args)` is `fn.call(self, ...args)`, without looking anything up at call time. */
const callBind = Function.prototype.bind.bind(Function.prototype.call) as <T extends (...args: never[]) => unknown>(fn: T) => (self: unknown, ...args: Parameters<T>) => ReturnType<T>;

export const $String = String;
export const $Number = Number;
export const $BigInt = BigInt;
export const $TypeError = TypeError;
export const $ReferenceError = ReferenceError;
export const { trunc: $trunc, max: $max, min: $min } = Math;
export const { getOwnPropertyDescriptor: $getOwnPropertyDescriptor, getPrototypeOf: $getPrototypeOf, hasOwn: $hasOwn, keys: $keys, defineProperty: $defineProperty, freeze: $freeze, setPrototypeOf: $setPrototypeOf } = Object;
export const $Object = Object;
export const { apply: $apply } = Reflect;
export const { isArray: $isArray } = Array;
export const { isProxy: $isProxy, isTypedArray: $isTypedArray } = types;
export const $setHas = callBind(Set.prototype.has) as (set: Set<unknown>, value: unknown) => boolean;
export const $bigintToString = callBind(BigInt.prototype.toString) as (value: bigint, radix?: number) => string;
export const $symbolToString = callBind(Symbol.prototype.toString) as (value: symbol) => string;
export const $mapEntries = callBind(Map.prototype.entries) as <K, V>(map: Map<K, V>) => IterableIterator<[K, V]>;
export const $mapIteratorNext = callBind(Object.getPrototypeOf(new Map().entries()).next as () => IteratorResult<unknown>) as <T>(iterator: IterableIterator<T>) => IteratorResult<T>;
export const $mapSet = callBind(Map.prototype.set) as <K, V>(map: Map<K, V>, key: K, value: V) => Map<K, V>;
export const $Map = Map;
export const $mapGet = callBind(Map.prototype.get) as <K, V>(map: Map<K, V>, key: K) => V | undefined;
export const $regexpTest = callBind(RegExp.prototype.test) as (re: RegExp, text: string) => boolean;
export const $stringIncludes = callBind(String.prototype.includes) as (text: string, search: string) => boolean;

/** Appends to an array we own, without consulting Array.prototype (push, or setters a program put on indexes). */
export function $append(array: unknown[], value: unknown): void {
  $defineProperty(array, array.length, { __proto__: null, value, writable: true, enumerable: true, configurable: true } as PropertyDescriptor);
}
