import { RUNTIME_GLOBAL } from '../expr/allowlist';
import { compileExpression } from '../expr/compile';
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
  if (probe.spec.kind === 'snapshot') return snapshotStatement(probe, site, gate);
  // the leading space: inserted right after a function body's `{`, V8 (Node 20) answers Ok to the edit but
  // keeps running the old code when the statement holds function literals; a space in between avoids that
  return ` try{if(${gate})${R}.hit(${id},[${compiled.expressions.map(valueOrError).join(',')}])}catch(__runtruth$e){}`;
}

/**
 * An injected snapshot: once admitted, reads each variable visible at the line into an array the runtime owns
 * (each read guarded on its own: a let/const below the line is in its temporal dead zone, and is left out),
 * evaluates the watches as guarded expressions, and hands all of it to the hook, which serialises it under the
 * snapshot's limits without running program code. No pause: the program waits only for that.
 */
function snapshotStatement(probe: PreparedProbe, site: InjectionSite, gate: string): string {
  const R = RUNTIME_GLOBAL;
  const id = JSON.stringify(probe.spec.id);
  const watches = (probe.watches ?? []).map((w) => valueOrError(compileExpression(w, { isDeclared: site.isDeclared })));
  const reads = site.visible.map((name, i) => `try{${R}.put(${i},${name})}catch(__runtruth$e){}`).join('');
  // no declaration in the statement (V8 answers Ok to an edit adding a block-scoped one, and keeps the old code):
  // the values go into a scratch array the runtime holds from begin() to snap(), with no program code in between
  return ` try{if(${gate}){${R}.begin();${reads}${R}.snap(${id},${JSON.stringify(site.visible)},[${watches.join(',')}],${site.column})}}catch(__runtruth$e){}`;
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
