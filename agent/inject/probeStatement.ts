import { RUNTIME_GLOBAL } from '../expr/allowlist';
import { compileProbe, valueOrError } from '../expr/compileProbe';
import type { PreparedProbe } from '../probe/prepare';
import type { InjectionSite } from './site';

/**
 * The one-line statement injected for a probe. It is a `try` statement: whatever happens inside, control
 * continues with the program's own next statement (no return, break, await or yield can occur in it, and it
 * declares nothing the program could see). The gate runs first, so a throttled hit costs a call and a decrement;
 * a condition is evaluated only when a hit could be admitted.
 */
export function probeStatement(probe: PreparedProbe, site: InjectionSite): string {
  const R = RUNTIME_GLOBAL;
  const id = JSON.stringify(probe.spec.id);
  const compiled = compileProbe(probe, site.isDeclared);
  const gate = compiled.condition === undefined ? `${R}.admit(${id})` : `${R}.ready(${id})&&${R}.cond(${id},${compiled.condition})&&${R}.admit(${id})`;
  // the leading space: inserted right after a function body's `{`, V8 (Node 20) answers Ok to the edit but
  // keeps running the old code when the statement holds function literals; a space in between avoids that
  return ` try{if(${gate})${R}.hit(${id},[${compiled.expressions.map(valueOrError).join(',')}])}catch(__runtruth$e){}`;
}

/** The script's source with each probe statement inserted at its offset (same offset: in the order given). */
export function patchedSource(original: string, inserts: ReadonlyArray<{ offset: number; text: string }>): string {
  const sorted = inserts.map((insert, order) => ({ ...insert, order })).sort((a, b) => a.offset - b.offset || a.order - b.order);
  let out = '';
  let at = 0;
  for (const { offset, text } of sorted) {
    out += original.slice(at, offset) + text;
    at = offset;
  }
  return out + original.slice(at);
}
