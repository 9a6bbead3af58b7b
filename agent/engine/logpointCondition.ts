import { RUNTIME_GLOBAL } from '../expr/allowlist';
import { compileProbe, valueOrError } from '../expr/compileProbe';
import type { CompileOptions } from '../expr/compile';
import type { PreparedProbe } from '../probe/prepare';

/**
 * The breakpoint condition that makes a logpoint: V8 evaluates it in the paused frame, so it can read locals;
 * it hands the values to the main-thread hook and returns false, so V8 never actually pauses.
 *
 * - expressions are compiled to guarded code (agent/expr): no getter, Proxy trap or valueOf runs, in either tier;
 * - every expression is guarded on its own: one that throws becomes `<error: …>`, the others still report;
 * - the whole thing is guarded: nothing it does can throw into the program;
 * - the hook's `admit` (rate limit, maxHits) runs before the expressions, so a throttled hit evaluates nothing;
 * - the runtime is a global with a reserved name (`typeof` first: an agent that is gone means "no").
 * `isDeclared` is the scope at the probe's place when the caller knows it (then globals go through the guard too).
 */
export function buildLogpointCondition(probe: PreparedProbe, isDeclared?: CompileOptions['isDeclared']): string {
  const id = JSON.stringify(probe.spec.id);
  const R = RUNTIME_GLOBAL;
  const compiled = compileProbe(probe, isDeclared);
  const values = compiled.expressions.map(valueOrError).join(', ');
  const gate = compiled.condition === undefined ? '' : `${R}.ready(${id}) && ${R}.cond(${id}, (() => { try { return ${compiled.condition} } catch { return false } })()) && `;
  return `(() => { try { if (typeof ${R} === 'object' && ${gate}${R}.admit(${id})) ${R}.hit(${id}, [${values}]); } catch {} return false })()`;
}
