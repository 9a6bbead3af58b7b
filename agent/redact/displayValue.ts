import { inspect, types } from 'node:util';
import { $append, $defineProperty, $getOwnPropertyDescriptor, $Map, $mapEntries, $mapIteratorNext, $mapSet } from '../expr/intrinsics';
import { REDACTED, type Redactor } from './rules';

/** How far into a logpoint value redaction looks: as deep as the message formatter shows (depth 2), a bounded width. */
const MAX_DEPTH = 3;
const MAX_KEYS = 50;

/**
 * Stand-ins rendered by the message formatter as strings (it runs no custom inspectors: they are program
 * code), then turned into bare `[redacted]` / `[Proxy]` by `restoreMarks`. U+2063 (invisible separator)
 * brackets them so program text cannot be mistaken for one.
 */
const SEPARATOR = '\u2063';
const mark = (text: string) => `${SEPARATOR}${text}${SEPARATOR}`;
export const WITHHELD = mark(REDACTED);
/** Stands in for a Proxy inside a logpoint value: its traps are never run, and its target is not ours to show. */
const OPAQUE_PROXY = mark('[Proxy]');
const MARKS = new RegExp(`'?${SEPARATOR}([^${SEPARATOR}]*)${SEPARATOR}'?`, 'g');

/** A rendered message with the stand-ins (quoted or not) made bare. */
export function restoreMarks(text: string): string {
  return text.includes(SEPARATOR) ? text.replace(MARKS, '$1') : text;
}
const MARK = WITHHELD;

/**
 * A logpoint value with sensitive parts withheld, for the message formatter. Returns the value itself when
 * nothing in it is sensitive (the common case: no copy). Reads only own data properties through descriptors,
 * so no getter or Proxy trap of the program runs; accessors are left for the formatter to show as [Getter].
 */
export function redactForDisplay(value: unknown, redactor: Redactor): unknown {
  return redactValue(value, redactor, 0);
}

function redactValue(value: unknown, redactor: Redactor, depth: number): unknown {
  if (typeof value === 'string') {
    const checked = redactor.checkString(value);
    return checked.redacted ? checked.text : value;
  }
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  if (types.isProxy(value)) return proxyLooksClean(value, redactor) ? value : OPAQUE_PROXY;
  if (types.isMap(value)) return redactMap(value as Map<unknown, unknown>, redactor, depth);
  if (Array.isArray(value)) return redactArray(value, redactor, depth);
  if (ArrayBuffer.isView(value) || types.isDate(value) || types.isRegExp(value) || types.isPromise(value)) return value;
  return redactObject(value, redactor, depth);
}

function redactObject(value: object, redactor: Redactor, depth: number): unknown {
  let copy: Record<string, unknown> | undefined;
  const keys = Reflect.ownKeys(value);
  for (let i = 0; i < keys.length && i < MAX_KEYS; i++) {
    const key = keys[i]!;
    if (typeof key !== 'string') continue;
    const d = Object.getOwnPropertyDescriptor(value, key);
    if (!d || !('value' in d)) continue;
    const replaced = redactor.isSensitiveName(key) ? MARK : redactValue(d.value, redactor, depth + 1);
    if (replaced === d.value) continue;
    copy ??= copyOwnData(value);
    copy[key] = replaced;
  }
  return copy ?? value;
}

function redactArray(value: unknown[], redactor: Redactor, depth: number): unknown {
  let copy: unknown[] | undefined;
  for (let i = 0; i < value.length && i < MAX_KEYS; i++) {
    const d = Object.getOwnPropertyDescriptor(value, i);
    if (!d || !('value' in d)) continue;
    const replaced = redactValue(d.value, redactor, depth + 1);
    if (replaced === d.value) continue;
    copy ??= ownElements(value);
    setOwn(copy, i, replaced);
  }
  return copy ?? value;
}

/**
 * The array's first MAX_KEYS own data elements, holes kept. Not slice() or index writes: with a hole, those reach
 * Array.prototype, where a program may have put an accessor on an index (its code would run, or throw, on our hit).
 */
function ownElements(value: unknown[]): unknown[] {
  const copy: unknown[] = [];
  const n = Math.min(value.length, MAX_KEYS);
  for (let i = 0; i < n; i++) {
    const d = $getOwnPropertyDescriptor(value, i);
    if (d && 'value' in d) setOwn(copy, i, d.value);
  }
  copy.length = n;
  return copy;
}

function setOwn(array: unknown[], index: number, value: unknown): void {
  $defineProperty(array, index, { __proto__: null, value, writable: true, enumerable: true, configurable: true } as PropertyDescriptor);
}

function redactMap(value: Map<unknown, unknown>, redactor: Redactor, depth: number): unknown {
  let changed = false;
  const entries: Array<[unknown, unknown]> = [];
  // the intrinsic iterator and its next(), and entries read by index: neither the instance (a subclass may override
  // entries), nor a patched %MapIteratorPrototype%.next or Array.prototype[Symbol.iterator] (destructuring) runs
  const iterator = $mapEntries(value);
  for (let step = $mapIteratorNext(iterator); !step.done && entries.length < MAX_KEYS; step = $mapIteratorNext(iterator)) {
    const k = step.value[0];
    const v = step.value[1];
    const replaced = typeof k === 'string' && redactor.isSensitiveName(k) ? MARK : redactValue(v, redactor, depth + 1);
    if (replaced !== v) changed = true;
    $append(entries, [k, replaced]);
  }
  if (!changed) return value;
  const copy = new $Map<unknown, unknown>(); // filled with the intrinsic set: `new Map(entries)` would iterate the array
  for (let i = 0; i < entries.length; i++) $mapSet(copy, entries[i]![0], entries[i]![1]);
  return copy;
}

/**
 * A Proxy cannot be walked without running its traps, but the formatter shows its target without them
 * (showProxy: false). So render it that way once and look at the names and strings it would show: clean,
 * it passes unchanged; anything sensitive, and it is withheld whole.
 */
function proxyLooksClean(value: object, redactor: Redactor): boolean {
  const text = inspect(value, { showProxy: false, customInspect: false, getters: false, depth: 2, maxArrayLength: 20, maxStringLength: 255, breakLength: Infinity });
  for (const m of text.matchAll(/([A-Za-z_$][\w$]*|'[^']*')\s*(?::|=>)/g)) {
    if (redactor.isSensitiveName(m[1]!.replace(/^'|'$/g, ''))) return false;
  }
  return !redactor.checkString(text).redacted;
}

/** A copy with the same prototype (so the formatter still names the class) and the own data properties. */
function copyOwnData(value: object): Record<string, unknown> {
  const copy = Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
  for (const key of Reflect.ownKeys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, key);
    if (d && 'value' in d) Object.defineProperty(copy, key, { value: d.value, enumerable: d.enumerable ?? false, writable: true, configurable: true });
  }
  return copy;
}
