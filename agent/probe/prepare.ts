import type { ProbeSpec } from '../../backend/protocol/probe';
import type { ArmedProbe } from '../channel';
import { assertReadOnly } from './readOnly';
import { parseTemplate } from './template';

/** Per-probe hit rate when the spec does not set maxPerSecond. */
export const DEFAULT_MAX_PER_SECOND = 100;

/** A probe whose template and condition were parsed and checked: what every engine tier places. */
export interface PreparedProbe {
  spec: ProbeSpec;
  /** Literal template text around the expressions. */
  parts: string[];
  /** Read-only expression sources, in template order. */
  expressions: string[];
  condition?: string;
}

/**
 * Parses and checks a probe once, before any engine sees it (so every tier rejects the same things with the
 * same words). Throws TemplateRejected or ExpressionRejected; their message is the status reason.
 */
export function prepareProbe(spec: ProbeSpec): PreparedProbe {
  const { parts, expressions } = parseTemplate(spec.template);
  for (const source of expressions) assertReadOnly(source);
  if (spec.condition !== undefined) assertReadOnly(spec.condition);
  return { spec, parts, expressions, ...(spec.condition !== undefined ? { condition: spec.condition.trim() } : {}) };
}

/** What the main-thread hook needs to know about a prepared probe. */
export function armedProbe(probe: PreparedProbe): ArmedProbe {
  const { spec } = probe;
  return {
    probeId: spec.id,
    parts: probe.parts,
    maxPerSecond: spec.maxPerSecond ?? DEFAULT_MAX_PER_SECOND,
    ...(spec.maxHits !== undefined ? { maxHits: spec.maxHits } : {}),
    stdout: spec.stdout ?? false,
  };
}
