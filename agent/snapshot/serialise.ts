import type { Protocol } from 'devtools-protocol';
import type { CapturedValue, SnapshotFrame } from '../../backend/protocol/evidence';
import { expressionName, type Redactor } from '../redact/rules';
import type { Collected } from './collect';
import type { Limits } from './limits';
import { SizeBudget } from './sizeBudget';

type RemoteObject = Protocol.Runtime.RemoteObject;
type Property = Protocol.Runtime.PropertyDescriptor;
type PropertyPreview = Protocol.Runtime.PropertyPreview;
type ObjectPreview = Protocol.Runtime.ObjectPreview;

const MAX_PREVIEW_CHARS = 200;

export interface SerialisedSnapshot {
  frames: SnapshotFrame[];
  watches: Array<{ expression: string; value?: CapturedValue; error?: string }>;
  truncated: boolean;
}

/** A frame's position in original source (through its script's source map), or in the script itself. */
export type FramePosition = (frame: Collected['frames'][number]) => { file: string; line: number; column?: number };

/**
 * Turns what was read during the pause into the compact typed tree the protocol carries, under the snapshot's
 * limits (depth, fields, collection items, string length, total bytes) and the redaction rules. Runs after the
 * program resumed: it costs the worker, never the program.
 */
export function serialiseSnapshot(collected: Collected, limits: Limits, watches: readonly string[], redactor: Redactor, position: FramePosition): SerialisedSnapshot {
  const s = new Serialiser(collected.properties, limits, redactor, new SizeBudget(limits.maxBytes));
  // what was read may serve several probes paused at once: each takes its own share
  const collectedFrames = collected.frames.slice(0, limits.maxFrames);
  const frames = collectedFrames.map((f) => {
    const where = position(f);
    const frame: SnapshotFrame = { function: f.functionName || '(anonymous)', file: where.file, line: where.line, ...(where.column ? { column: where.column } : {}) };
    s.budget.spend(frame.function.length + frame.file.length + 40);
    return frame;
  });
  // locals after every frame line: the stack is the most useful part and is never what gets cut
  collectedFrames.forEach((f, i) => {
    if (f.locals && i < limits.expandFrames) frames[i]!.locals = s.properties(f.locals, 1);
  });
  // a watch is withheld by the name it reads (`user.password`), like a variable of that name
  const mine = watches.map((expression) => collected.watches.find((w) => w.expression === expression) ?? { expression, error: 'not evaluated' });
  const watchResults = mine.map((w) =>
    w.result ? { expression: w.expression, value: s.value(undefined, w.result, 1, expressionName(w.expression)) } : { expression: w.expression, error: w.error ?? 'no value' },
  );
  return { frames, watches: watchResults, truncated: s.budget.exhausted };
}

class Serialiser {
  constructor(
    private readonly expanded: Map<string, Property[]>,
    private readonly limits: Limits,
    private readonly redactor: Redactor,
    readonly budget: SizeBudget,
  ) {}

  /** Named values (own properties, or a frame's locals) at `level`. */
  properties(props: Property[], level: number): CapturedValue[] {
    const out: CapturedValue[] = [];
    for (const p of props) {
      if (!this.budget.spend(p.name.length + 30)) break;
      out.push(p.value ? this.value(p.name, p.value, level) : { name: p.name, type: 'accessor', accessor: true });
    }
    return out;
  }

  value(name: string | undefined, o: RemoteObject, level: number, knownAs = name): CapturedValue {
    const named = name === undefined ? {} : { name };
    if (knownAs !== undefined && this.redactor.isSensitiveName(knownAs)) return { ...named, type: typeName(o), redacted: true };
    if (o.type === 'string') return { ...named, ...this.text(String(o.value ?? '')) };
    if (o.type === 'number') return { ...named, type: 'number', value: o.unserializableValue ?? (o.value as number) };
    if (o.type === 'boolean') return { ...named, type: 'boolean', value: o.value as boolean };
    if (o.type === 'undefined') return { ...named, type: 'undefined' };
    if (o.type === 'bigint') return { ...named, type: 'bigint', value: o.unserializableValue ?? String(o.value) };
    if (o.type === 'symbol') return { ...named, type: 'symbol', value: clip(o.description ?? 'Symbol()') };
    if (o.subtype === 'null') return { ...named, type: 'null', value: null };
    if (o.type === 'function') return { ...named, type: 'function', preview: clip(firstLine(o.description ?? 'function')) };
    return { ...named, ...this.object(o, level) };
  }

  private object(o: RemoteObject, level: number): CapturedValue {
    const preview = this.redactor.checkString(clip(o.description ?? o.className ?? 'Object'));
    const node: CapturedValue = { type: typeName(o), preview: preview.text, ...(preview.redacted ? { redacted: true } : {}) };
    if (o.subtype === 'proxy') return node; // never looked into: its traps are program code
    if (level >= this.limits.depth) {
      if (o.preview?.properties.length || o.preview?.entries?.length) node.truncated = true;
      return node;
    }
    const props = o.objectId ? this.expanded.get(o.objectId) : undefined;
    if (props) this.fromProperties(node, props, o.subtype === 'array', level);
    else if (o.preview) this.fromPreview(node, o.preview, level);
    return node;
  }

  private fromProperties(node: CapturedValue, props: Property[], isArray: boolean, level: number): void {
    const max = isArray ? this.limits.collectionItems : this.limits.fields;
    const shown = props.filter((p) => p.enumerable || !isArray).filter((p) => !(isArray && p.name === 'length'));
    node.children = this.properties(shown.slice(0, max), level + 1);
    if (shown.length > node.children.length) node.truncated = true;
  }

  /** Children from V8's preview: at most a few fields (or 100 items), values one level deep. */
  private fromPreview(node: CapturedValue, preview: ObjectPreview, level: number): void {
    const isCollection = preview.subtype === 'array' || preview.subtype === 'typedarray';
    const max = isCollection || preview.entries ? this.limits.collectionItems : this.limits.fields;
    const children: CapturedValue[] = [];
    if (preview.entries) {
      for (const [i, e] of preview.entries.entries()) {
        if (children.length >= max || !this.budget.spend(40)) break;
        const key = e.key?.description;
        const name = key ?? String(i);
        children.push(key !== undefined && this.redactor.isSensitiveName(key) ? { name, type: e.value.type, redacted: true } : { name, ...this.fromObjectPreview(e.value, level + 1) });
      }
    } else {
      for (const p of preview.properties) {
        if (children.length >= max || !this.budget.spend(p.name.length + 30)) break;
        children.push(this.fromPropertyPreview(p, level + 1));
      }
    }
    node.children = children;
    const total = preview.entries?.length ?? preview.properties.length;
    if (preview.overflow || total > children.length) node.truncated = true;
  }

  private fromPropertyPreview(p: PropertyPreview, level: number): CapturedValue {
    const name = p.name;
    if (this.redactor.isSensitiveName(name)) return { name, type: p.subtype === 'null' ? 'null' : p.type, redacted: true };
    if (p.type === 'accessor') return { name, type: 'accessor', accessor: true };
    if (p.valuePreview && level < this.limits.depth) return { name, ...this.fromObjectPreview(p.valuePreview, level) };
    return { name, ...this.primitiveFromText(p.type, p.subtype, p.value ?? '') };
  }

  private fromObjectPreview(p: ObjectPreview, level: number): CapturedValue {
    if (p.type !== 'object') return this.primitiveFromText(p.type, p.subtype, p.description ?? '');
    if (p.subtype === 'null') return { type: 'null', value: null };
    const node: CapturedValue = { type: p.description?.replace(/\(\d+\)$/, '') || 'Object', preview: clip(p.description ?? 'Object') };
    if (level < this.limits.depth && p.subtype !== 'proxy') this.fromPreview(node, p, level);
    else if (p.properties.length) node.truncated = true;
    return node;
  }

  /** A value that only exists as preview text (V8 stringifies values inside previews). */
  private primitiveFromText(type: string, subtype: string | undefined, text: string): CapturedValue {
    switch (type) {
      case 'string':
        return this.text(text);
      case 'number': {
        const n = Number(text);
        return { type: 'number', value: Number.isFinite(n) && String(n) === text ? n : text };
      }
      case 'boolean':
        return { type: 'boolean', value: text === 'true' };
      case 'undefined':
        return { type: 'undefined' };
      case 'bigint':
        return { type: 'bigint', value: text };
      case 'object':
        return subtype === 'null' ? { type: 'null', value: null } : { type: text.replace(/\(\d+\)$/, '') || 'Object', preview: clip(text), truncated: true };
      default:
        return { type, preview: clip(text) };
    }
  }

  private text(raw: string): CapturedValue {
    const clipped = raw.length > this.limits.stringLength;
    const checked = this.redactor.checkString(clipped ? raw.slice(0, this.limits.stringLength) : raw);
    this.budget.spend(checked.text.length + 20);
    return { type: 'string', value: checked.text, ...(clipped ? { truncated: true } : {}), ...(checked.redacted ? { redacted: true } : {}) };
  }
}

/** The type a person expects: the class for objects (`Order`, `Array`, `Map`), the JS type otherwise. */
function typeName(o: RemoteObject): string {
  if (o.type !== 'object') return o.type;
  if (o.subtype === 'null') return 'null';
  if (o.subtype === 'proxy') return 'Proxy';
  return o.className ?? 'Object';
}

function clip(text: string, max = MAX_PREVIEW_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}
