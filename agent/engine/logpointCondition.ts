import { AGENT_SLOT } from '../globalSlot';
import type { PreparedProbe } from '../probe/prepare';

/**
 * The breakpoint condition that makes a logpoint: V8 evaluates it in the paused frame, so it can read locals;
 * it hands the values to the main-thread hook and returns false, so V8 never actually pauses.
 *
 * - every expression is guarded on its own: one that throws becomes `<error: …>`, the others still report;
 * - the whole thing is guarded: nothing it does can throw into the program;
 * - the hook's `admit` (rate limit, maxHits) runs before the expressions, so a throttled hit evaluates nothing;
 * - the hook lives in a local with an unlikely name, so it cannot shadow the program's own variables;
 * - sources were checked read-only (prepareProbe) and sit on their own lines, so no comment can swallow a paren.
 */
export function buildLogpointCondition(probe: PreparedProbe): string {
  const id = JSON.stringify(probe.spec.id);
  const hook = '__runtruth$hook';
  const guarded = (source: string, onError: string) => `(() => { try { return (\n${source}\n) } catch (e) { return ${onError} } })()`;
  const values = probe.expressions.map((source) => guarded(source, `${hook}.err(e)`)).join(', ');
  const gate = probe.condition === undefined ? '' : `${guarded(probe.condition, 'false')} && `;
  return (
    `(() => { try { const ${hook} = globalThis[Symbol.for(${JSON.stringify(AGENT_SLOT.description)})]; ` +
    `if (${hook} && ${gate}${hook}.admit(${id})) ${hook}.hit(${id}, [${values}]); } catch {} return false })()`
  );
}
