import type { ProbeSpec } from '../../backend/protocol/probe';
import type { ArmedProbe } from '../channel';
import { expressionName, type Redactor } from '../redact/rules';
import { resolveLimits } from '../snapshot/limits';
import { assertReadOnly } from './readOnly';
import { parseTemplate } from './template';

/**
 * A logpoint's hit rate when the spec does not set maxPerSecond. Injected, a refused hit costs a few ns; what
 * admitted hits cost (rendering, ~µs) and every execution of the line (admitted or not) are held to the agent's
 * CPU budget (hook/cpuBudget.ts) on top of this.
 */
export const DEFAULT_MAX_PER_SECOND = 5000;
/** Snapshots pause the program: one per second unless the probe says otherwise. */
export const DEFAULT_SNAPSHOTS_PER_SECOND = 1;
/** Metrics aggregate in place (no message per hit); the rate only bounds how many values are sampled. */
export const DEFAULT_METRIC_SAMPLES_PER_SECOND = 10_000;

/** A place in the running (generated) code, when it differs from the probe's file and line: a source-mapped probe. */
export interface GeneratedTarget {
  /** The script's URL exactly as V8 reports it. */
  url: string;
  /** 1-based, as editors count. */
  line: number;
  column?: number;
  /** The original position the probe names, for statuses. */
  original: { file: string; line: number };
}

/** A probe whose template and condition were parsed and checked: what every engine tier places. */
export interface PreparedProbe {
  spec: ProbeSpec;
  /** Literal template text around the expressions (a metric or snapshot has none: ['']). */
  parts: string[];
  /** Read-only expression sources whose values each hit reports, in order (a value metric: its expression). */
  expressions: string[];
  condition?: string;
  /** Snapshot watch expressions, checked read-only (evaluated by the snapshot capturer, not by engines). */
  watches?: string[];
  /** Set by the source-map layer: place here instead of spec.file/spec.line. Engines must honour it. */
  target?: GeneratedTarget;
}

/**
 * Parses and checks a probe once, before any engine sees it (so every tier rejects the same things with the
 * same words). Throws TemplateRejected or ExpressionRejected; their message is the status reason.
 */
export function prepareProbe(spec: ProbeSpec): PreparedProbe {
  const { parts, expressions } = spec.kind === 'log' ? parseTemplate(spec.template) : valuesOf(spec);
  for (const source of expressions) assertReadOnly(source);
  if (spec.condition !== undefined) assertReadOnly(spec.condition);
  const watches = spec.kind === 'snapshot' ? (spec.watches ?? []).map((w) => w.trim()) : undefined;
  for (const source of watches ?? []) assertReadOnly(source);
  return { spec, parts, expressions, ...(spec.condition !== undefined ? { condition: spec.condition.trim() } : {}), ...(watches ? { watches } : {}) };
}

function valuesOf(spec: Exclude<ProbeSpec, { kind: 'log' }>): { parts: string[]; expressions: string[] } {
  if (spec.kind === 'metric' && spec.metric === 'value' && spec.expression !== undefined) return { parts: ['', ''], expressions: [spec.expression.trim()] };
  return { parts: [''], expressions: [] };
}

/** The probe's own hit limit: a snapshot stops after one unless it says otherwise. */
export function effectiveMaxHits(spec: ProbeSpec): number | undefined {
  return spec.maxHits ?? (spec.kind === 'snapshot' ? 1 : undefined);
}

/** What the main-thread hook needs to know about a prepared probe. */
export function armedProbe(probe: PreparedProbe, redactor?: Redactor): ArmedProbe {
  const { spec } = probe;
  const maxHits = effectiveMaxHits(spec);
  const rate = spec.maxPerSecond ?? (spec.kind === 'snapshot' ? DEFAULT_SNAPSHOTS_PER_SECOND : spec.kind === 'metric' ? DEFAULT_METRIC_SAMPLES_PER_SECOND : DEFAULT_MAX_PER_SECOND);
  // an expression named like a secret (`user.password`) is withheld whatever its value
  const redact = redactor ? probe.expressions.map((source) => redactor.isSensitiveName(expressionName(source) ?? '')) : [];
  return {
    probeId: spec.id,
    parts: probe.parts,
    maxPerSecond: rate,
    ...(maxHits !== undefined ? { maxHits } : {}),
    stdout: spec.kind === 'log' ? (spec.stdout ?? false) : false,
    ...(redact.some(Boolean) ? { redact } : {}),
    ...(spec.kind === 'snapshot' ? { role: 'gate' as const, snapshot: { limits: resolveLimits(spec.limits), watches: probe.watches ?? [] } } : {}),
    ...(spec.kind === 'metric' ? { role: 'metric' as const, metric: spec.metric } : {}),
  };
}
