import { BREAKPOINT_RUNTIME, RUNTIME_GLOBAL } from '../expr/allowlist';
import { compileProbe } from '../expr/compileProbe';
import type { CompileOptions } from '../expr/compile';
import type { PreparedProbe } from '../probe/prepare';

/**
 * The breakpoint condition that makes a logpoint: V8 evaluates it in the paused frame, so it can read locals;
 * it hands the values to the main-thread hook and returns false, so V8 never actually pauses.
 *
 * V8 compiles the condition afresh for every hit, in a debug-evaluate scope. Every name looked up from there (a
 * global, or a local of the paused frame) goes through V8's locals-blocklist cache, an ephemeron table that gains
 * entries on every evaluation until the next full GC and whose lookups then scan it (perf on Node 20: 60% of a
 * breakpoint-tier hit in Isolate::LocalsBlockListCacheGet/Set, more the larger the heap, as full GCs come rarer).
 * So the text makes no global lookup and is short (V8 parses, hashes and reports it on every hit): one runtime call
 * (`bp`, or `bpc` with a condition) on the runtime read through a literal (BREAKPOINT_RUNTIME), given one thunk
 * that receives the runtime as a parameter named like the global, which its guarded code reads; the gate,
 * the condition and the rest run in normal, optimised code, and the thunk, which looks up only the frame's variables
 * the expressions name, runs only when admitted.
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
  // one thunk for everything, `i` picks what to evaluate (-1: the condition): the runtime calls it once per value,
  // each in its own try, so one failing expression reports `<error>` while the others still report
  const branches = compiled.expressions.map((code, i) => `i === ${i} ? ${code} : `).join('');
  const body = `${compiled.condition === undefined ? '' : `i < 0 ? (${compiled.condition}) : `}${branches}undefined`;
  const call = compiled.condition === undefined ? 'bp' : 'bpc';
  return `${BREAKPOINT_RUNTIME}.${call}(${id}, ${compiled.expressions.length}, (${R}, i) => ${body})`;
}
