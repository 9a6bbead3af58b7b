import { RUNTIME_GLOBAL } from '../expr/allowlist';
import { compileProbe, valueOrError } from '../expr/compileProbe';
import type { CompileOptions } from '../expr/compile';
import type { PreparedProbe } from '../probe/prepare';

/**
 * The breakpoint condition that makes a logpoint: V8 evaluates it in the paused frame, so it can read locals;
 * it hands the values to the main-thread hook and returns false, so V8 never actually pauses.
 *
 * V8 compiles the condition afresh for every hit, in a debug-evaluate scope where each global lookup and each call
 * into program-side code is slow (measured with bench/fixtures/raw-breakpoint.js: a bare `false` ~95 µs per hit, our
 * earlier `typeof rt === 'object' && rt.admit(id) && rt.hit(id, [...])` in a try/catch IIFE ~155 µs). So the text is
 * one runtime call (`bp`, or `bpc` with a condition) given thunks: the gate, the condition and the rest run in
 * normal, optimised code and the thunks only when admitted (~105–118 µs in the same measurement).
 *
 * - expressions are compiled to guarded code (agent/expr): no getter, Proxy trap or valueOf runs, in either tier;
 * - every expression is guarded on its own: one that throws becomes `<error: …>`, the others still report;
 * - nothing it does can throw into the program: the runtime catches, and a condition that throws (the runtime gone
 *   once the agent stopped: a ReferenceError) is, for V8, a condition that is false: no pause, nothing thrown;
 * - the hook's `admit` (rate limit, maxHits) runs before the expressions, so a throttled hit evaluates nothing.
 * `isDeclared` is the scope at the probe's place when the caller knows it (then globals go through the guard too).
 */
export function buildLogpointCondition(probe: PreparedProbe, isDeclared?: CompileOptions['isDeclared']): string {
  const id = JSON.stringify(probe.spec.id);
  const R = RUNTIME_GLOBAL;
  const compiled = compileProbe(probe, isDeclared);
  const values = `() => [${compiled.expressions.map(valueOrError).join(', ')}]`;
  return compiled.condition === undefined ? `${R}.bp(${id}, ${values})` : `${R}.bpc(${id}, () => (${compiled.condition}), ${values})`;
}
