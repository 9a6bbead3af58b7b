import { types } from 'node:util';
import type { CapturedValue } from '../../backend/protocol/evidence';
import { $getOwnPropertyDescriptor, $getPrototypeOf, $isArray, $isProxy, $isTypedArray, $String, $symbolToString } from '../expr/intrinsics';
import type { Redactor } from '../redact/rules';
import type { Limits } from './limits';
import { SizeBudget } from './sizeBudget';

const MAX_PREVIEW_CHARS = 200;
const $ownKeys = Reflect.ownKeys;
const $mapEntries = Map.prototype.entries;
const $setValues = Set.prototype.values;
const $mapSize = $getOwnPropertyDescriptor(Map.prototype, 'size')!.get!;
const $setSize = $getOwnPropertyDescriptor(Set.prototype, 'size')!.get!;
const $dateToISOString = Date.prototype.toISOString;
const $dateGetTime = Date.prototype.getTime;
const $typedArrayLength = $getOwnPropertyDescriptor($getPrototypeOf(Uint8Array.prototype) as object, 'length')!.get!;

/**
 * The injected snapshot tier's serialiser: turns live values into the protocol's CapturedValue tree on the main
 * thread, inside the program, under the snapshot's limits (depth, fields, collection items, string length, bytes)
 * and the redaction rules. It runs no program code: own properties are read through descriptors (an accessor is
 * recorded, never called), Proxies are not looked into, collections are walked with the intrinsic iterators
 * captured at load, and nothing is coerced. The same shape the paused tier builds from CDP objects.
 */
export class InlineSerialiser {
  readonly budget: SizeBudget;

  constructor(
    private readonly limits: Limits,
    private readonly redactor: Redactor,
  ) {
    this.budget = new SizeBudget(limits.maxBytes);
  }

  /** Named values (a frame's locals: the first level), in order; `values[i]` of a name not readable is a hole. */
  named(names: readonly string[], values: readonly unknown[]): CapturedValue[] {
    const out: CapturedValue[] = [];
    for (let i = 0; i < names.length; i++) {
      if (!(i in values)) continue; // in its temporal dead zone at the line (a let/const declared below)
      if (!this.budget.spend(names[i]!.length + 30)) break;
      out.push(this.value(names[i], values[i], 1));
    }
    return out;
  }

  value(name: string | undefined, v: unknown, level: number, knownAs = name): CapturedValue {
    const named = name === undefined ? {} : { name };
    if (knownAs !== undefined && this.redactor.isSensitiveName(knownAs)) return { ...named, type: typeName(v), redacted: true };
    switch (typeof v) {
      case 'string':
        return { ...named, ...this.text(v) };
      case 'number':
        return { ...named, type: 'number', value: Number.isFinite(v) && !Object.is(v, -0) ? v : Object.is(v, -0) ? '-0' : $String(v) };
      case 'boolean':
        return { ...named, type: 'boolean', value: v };
      case 'undefined':
        return { ...named, type: 'undefined' };
      case 'bigint':
        return { ...named, type: 'bigint', value: `${$String(v)}n` };
      case 'symbol':
        return { ...named, type: 'symbol', value: clip($symbolToString(v)) };
      case 'function':
        return { ...named, type: 'function', preview: $isProxy(v) ? 'Proxy(function)' : `function ${functionName(v)}` };
      default:
        if (v === null) return { ...named, type: 'null', value: null };
        return { ...named, ...this.object(v as object, level) };
    }
  }

  private object(o: object, level: number): CapturedValue {
    if ($isProxy(o)) return { type: 'Proxy', preview: 'Proxy' }; // its traps are program code
    const type = className(o);
    const node: CapturedValue = { type, preview: this.preview(o, type) };
    const expand = level < this.limits.depth;
    if (types.isMap(o)) this.entries(node, $mapEntries.call(o) as Iterable<[unknown, unknown]>, expand, level);
    else if (types.isSet(o)) this.entries(node, (function* (it) { let i = 0; for (const v of it) yield [i++, v] as [unknown, unknown]; })($setValues.call(o) as Iterable<unknown>), expand, level);
    else if ($isTypedArray(o)) this.items(node, o as unknown as ArrayLike<unknown>, $typedArrayLength.call(o) as number, expand, level);
    else if ($isArray(o)) this.items(node, o as unknown[], lengthOf(o), expand, level);
    else if (!(types.isDate(o) || types.isRegExp(o) || types.isPromise(o) || types.isWeakMap(o) || types.isWeakSet(o) || types.isBoxedPrimitive(o))) this.fields(node, o, expand, level);
    return node;
  }

  private fields(node: CapturedValue, o: object, expand: boolean, level: number): void {
    const keys = $ownKeys(o);
    if (!expand) {
      if (keys.length) node.truncated = true;
      return;
    }
    const children: CapturedValue[] = [];
    let shown = 0;
    for (const key of keys) {
      if (typeof key !== 'string') continue;
      if (shown >= this.limits.fields || !this.budget.spend(key.length + 30)) {
        node.truncated = true;
        break;
      }
      shown++;
      const d = $getOwnPropertyDescriptor(o, key);
      if (!d) continue;
      children.push('value' in d ? this.value(key, d.value, level + 1) : { name: key, type: 'accessor', accessor: true });
    }
    node.children = children;
  }

  private items(node: CapturedValue, o: ArrayLike<unknown>, length: number, expand: boolean, level: number): void {
    if (!expand) {
      if (length) node.truncated = true;
      return;
    }
    const children: CapturedValue[] = [];
    const typed = $isTypedArray(o);
    for (let i = 0; i < length; i++) {
      if (i >= this.limits.collectionItems || !this.budget.spend(40)) {
        node.truncated = true;
        break;
      }
      if (typed) {
        children.push(this.value(String(i), o[i], level + 1));
        continue;
      }
      const d = $getOwnPropertyDescriptor(o, i);
      if (d) children.push('value' in d ? this.value(String(i), d.value, level + 1) : { name: String(i), type: 'accessor', accessor: true });
    }
    node.children = children;
  }

  private entries(node: CapturedValue, it: Iterable<[unknown, unknown]>, expand: boolean, level: number): void {
    const children: CapturedValue[] = [];
    for (const [k, v] of it) {
      if (!expand || children.length >= this.limits.collectionItems || !this.budget.spend(40)) {
        node.truncated = true;
        break;
      }
      const key = typeof k === 'string' || typeof k === 'number' ? $String(k) : undefined;
      if (key !== undefined && this.redactor.isSensitiveName(key)) children.push({ name: key, type: typeName(v), redacted: true });
      else children.push(this.value(key ?? String(children.length), v, level + 1));
    }
    if (expand) node.children = children;
  }

  private preview(o: object, type: string): string {
    try {
      if (types.isMap(o)) return `${type}(${$mapSize.call(o) as number})`;
      if (types.isSet(o)) return `${type}(${$setSize.call(o) as number})`;
      if ($isTypedArray(o)) return `${type}(${$typedArrayLength.call(o) as number})`;
      if ($isArray(o)) return `${type}(${lengthOf(o)})`;
      if (types.isDate(o)) return Number.isNaN($dateGetTime.call(o)) ? 'Invalid Date' : ($dateToISOString.call(o) as string);
      if (types.isNativeError(o)) {
        const message = $getOwnPropertyDescriptor(o, 'message');
        const text = message && 'value' in message && typeof message.value === 'string' ? `${type}: ${message.value}` : type;
        return this.redactor.checkString(clip(text)).text;
      }
    } catch {
      // a detached or odd built-in: the type alone
    }
    return type;
  }

  private text(raw: string): CapturedValue {
    const clipped = raw.length > this.limits.stringLength;
    const checked = this.redactor.checkString(clipped ? raw.slice(0, this.limits.stringLength) : raw);
    this.budget.spend(checked.text.length + 20);
    return { type: 'string', value: checked.text, ...(clipped ? { truncated: true } : {}), ...(checked.redacted ? { redacted: true } : {}) };
  }
}

/** The class a person expects (`Order`, `Map`, `Object`): the prototype's own data `constructor`, never a getter. */
function className(o: object): string {
  try {
    const proto = $getPrototypeOf(o) as object | null;
    if (proto === null) return 'Object';
    if ($isProxy(proto)) return 'Object';
    const d = $getOwnPropertyDescriptor(proto, 'constructor');
    if (d && 'value' in d && typeof d.value === 'function' && !$isProxy(d.value)) return functionName(d.value as object) || 'Object';
  } catch {
    // fall through
  }
  return 'Object';
}

function functionName(fn: object): string {
  const d = $getOwnPropertyDescriptor(fn, 'name');
  return d && 'value' in d && typeof d.value === 'string' ? clip(d.value) : '';
}

function lengthOf(array: object): number {
  const d = $getOwnPropertyDescriptor(array, 'length');
  return d && typeof d.value === 'number' ? d.value : 0;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  return typeof v === 'object' ? ($isProxy(v) ? 'Proxy' : className(v)) : typeof v;
}

function clip(text: string, max = MAX_PREVIEW_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
