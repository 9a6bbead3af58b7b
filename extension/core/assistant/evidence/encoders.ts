import type { Evidence, NewProbe, ProbeKind, Selector } from '../../../../backend/protocol';
import type { Observation, PlannedProbe, TypedValue } from '../schema';
import { captureList } from './captures';

/** Limits every probe the assistant asks for carries: small, so a person can approve it without worry. */
export interface ProbeBudget {
  ttlSeconds: number;
  maxHits: number;
  maxPerSecond: number;
}

export const DEFAULT_BUDGET: ProbeBudget = { ttlSeconds: 15 * 60, maxHits: 200, maxPerSecond: 20 };

/**
 * Turns a planned probe into a concrete probe of one kind and reads that kind's evidence back as typed
 * observations. One encoder per kind: a new kind (a value metric) is one more entry in `encoders`.
 */
export interface ProbeEncoder {
  kind: ProbeKind;
  encode(plan: PlannedProbe, selector: Selector, budget: ProbeBudget): NewProbe;
  decode(plan: PlannedProbe, evidence: Evidence): Observation | undefined;
}

const SEPARATOR = ' | ';
const escapeLiteral = (s: string) => s.replace(/\{/g, '{{').replace(/\}/g, '}}');

/**
 * A logpoint whose message carries each value WITH its runtime type: `amount:string=15,000 | LIMIT:number=10000 |
 * amount > LIMIT:boolean=false`. Works on every agent; the type is what makes a string-vs-number bug visible.
 */
export const logEncoder: ProbeEncoder = {
  kind: 'log',
  encode(plan, selector, budget) {
    const template = captureList(plan)
      .map((c) => `${escapeLiteral(c.name)}:{typeof (${c.expr})}={${c.expr}}`)
      .join(SEPARATOR);
    return { kind: 'log', selector, file: plan.file, line: plan.line, template, ttlSeconds: budget.ttlSeconds, maxHits: budget.maxHits, maxPerSecond: budget.maxPerSecond };
  },
  decode(plan, evidence) {
    if (evidence.kind !== 'log') return undefined;
    const values = parseTypedMessage(evidence.message, captureList(plan).map((c) => c.name));
    if (!values) return undefined;
    return { probeId: evidence.probeId, evidenceId: evidence.id, at: evidence.at, instance: evidence.instance, values };
  },
};

/** Reads a message written by logEncoder's template, knowing the names in order (values may contain anything). */
export function parseTypedMessage(message: string, names: readonly string[]): Record<string, TypedValue> | undefined {
  const out: Record<string, TypedValue> = {};
  let pos = 0;
  for (let i = 0; i < names.length; i++) {
    const head = `${names[i]}:`;
    if (!message.startsWith(head, pos)) return undefined;
    pos += head.length;
    const eq = message.indexOf('=', pos);
    if (eq < 0) return undefined;
    const type = message.slice(pos, eq);
    const nextHead = i + 1 < names.length ? `${SEPARATOR}${names[i + 1]}:` : undefined;
    const end = nextHead === undefined ? message.length : message.indexOf(nextHead, eq + 1);
    if (end < 0) return undefined;
    out[names[i]!] = typedValue(type, message.slice(eq + 1, end));
    pos = end + SEPARATOR.length;
  }
  return out;
}

function typedValue(type: string, text: string): TypedValue {
  // `{x}` that threw renders as <error: …> (not in scope here, TDZ): say so rather than guess
  if (text.startsWith('<error: ')) return { type: 'unavailable', text, unavailable: true };
  if (type === 'number' && text === 'NaN') return { type: 'NaN', text };
  if (type === 'object' && text === 'null') return { type: 'null', text };
  return { type, text };
}

/**
 * A snapshot whose watches are the planned captures: typed values plus the call stack (the executed path).
 * Used when agents run snapshots; it pauses the program briefly, so it is capped to few hits.
 */
export const snapshotEncoder: ProbeEncoder = {
  kind: 'snapshot',
  encode(plan, selector, budget) {
    return {
      kind: 'snapshot',
      selector,
      file: plan.file,
      line: plan.line,
      watches: captureList(plan).map((c) => c.expr),
      limits: { maxFrames: 12, expandFrames: 1, depth: 1, fields: 10, collectionItems: 10, stringLength: 200 },
      ttlSeconds: budget.ttlSeconds,
      maxHits: Math.min(budget.maxHits, 50),
      maxPerSecond: Math.min(budget.maxPerSecond, 5),
    };
  },
  decode(plan, evidence) {
    if (evidence.kind !== 'snapshot') return undefined;
    const captures = captureList(plan);
    const values: Record<string, TypedValue> = {};
    captures.forEach((c, i) => {
      const w = evidence.watches?.find((x) => x.expression === c.expr) ?? evidence.watches?.[i];
      if (!w || w.error || !w.value) {
        values[c.name] = { type: 'unavailable', text: w?.error ?? 'not captured', unavailable: true };
        return;
      }
      const v = w.value;
      const text = v.value === undefined ? v.preview ?? '' : v.value === null ? 'null' : String(v.value);
      const primitive = ['string', 'number', 'boolean', 'undefined', 'bigint', 'symbol'].includes(v.type);
      values[c.name] = typedValue(primitive || v.type === 'null' ? v.type : v.type === 'function' ? 'function' : 'object', text);
    });
    return {
      probeId: evidence.probeId,
      evidenceId: evidence.id,
      at: evidence.at,
      instance: evidence.instance,
      values,
      stack: evidence.frames.map((f) => ({ function: f.function, file: f.file, line: f.line })),
    };
  },
};

export const encoders: Partial<Record<ProbeKind, ProbeEncoder>> = { log: logEncoder, snapshot: snapshotEncoder };
