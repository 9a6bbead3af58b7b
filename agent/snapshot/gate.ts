import { BREAKPOINT_RUNTIME, RUNTIME_GLOBAL } from '../expr/allowlist';
import { compileProbe } from '../expr/compileProbe';
import type { PreparedProbe } from '../probe/prepare';

/**
 * The breakpoint condition of a snapshot probe: it is true (so V8 pauses and the worker captures) only when
 * the probe's condition holds and the main-thread hook admits the hit (rate limit, default 1/s, and maxHits,
 * default 1). Every other hit costs the condition alone and never pauses. The condition is compiled to guarded
 * code like a logpoint's (agent/expr: no getter, Proxy trap, coercion or program-defined method runs), nothing in
 * it can throw into the program, and a condition that throws means "no". Like a logpoint's, the text makes no
 * global lookup (see logpointCondition): the runtime's `sg` gets the condition as a thunk.
 */
export function buildSnapshotGate(probe: PreparedProbe): string {
  const id = JSON.stringify(probe.spec.id);
  const compiled = compileProbe({ expressions: [], ...(probe.condition !== undefined ? { condition: probe.condition } : {}) });
  const condition = compiled.condition === undefined ? '' : `, (${RUNTIME_GLOBAL}) => ${compiled.condition}`;
  return `${BREAKPOINT_RUNTIME}.sg(${id}${condition})`;
}
