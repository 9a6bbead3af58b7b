import { RUNTIME_GLOBAL } from './expr/allowlist';
import { createProbeRuntime, INERT_RUNTIME, type ProbeRuntime } from './expr/runtime';
import type { HitHook } from './hook/hitHook';

/**
 * The one process-wide place the agent lives: `globalThis[Symbol.for('runtruth.agent')]`. Probe code finds
 * the hook there (a registered symbol survives duplicate copies of this package), and a second `start()`
 * finds the running agent's handle there.
 */
export const AGENT_SLOT = Symbol.for('runtruth.agent');

export interface AgentSlot<H> {
  readonly handle: H;
  readonly admit: HitHook['admit'];
  readonly hit: HitHook['hit'];
  readonly err: HitHook['err'];
}

type GlobalWithSlot = typeof globalThis & { [AGENT_SLOT]?: AgentSlot<unknown> };

export function readSlot<H>(): AgentSlot<H> | undefined {
  return (globalThis as GlobalWithSlot)[AGENT_SLOT] as AgentSlot<H> | undefined;
}

/** Installs the slot: non-enumerable, so it stays out of the app's own reflection over globalThis. */
export function installSlot<H>(handle: H, hook: HitHook): void {
  const slot = Object.create(null) as AgentSlot<H>;
  const fixed = (value: unknown) => ({ value, enumerable: false, writable: false, configurable: false });
  Object.defineProperties(slot, {
    handle: fixed(handle),
    admit: fixed(hook.admit.bind(hook)),
    hit: fixed(hook.hit.bind(hook)),
    err: fixed(hook.err.bind(hook)),
  });
  Object.defineProperty(globalThis, AGENT_SLOT, { value: slot, enumerable: false, writable: false, configurable: true });
  // Probe code (injected or a breakpoint condition) reaches the guard runtime by this global name: a global
  // read costs ~1 ns where Symbol.for costs ~20 ns per hit.
  const runtime = createProbeRuntime(hook);
  Object.defineProperty(globalThis, RUNTIME_GLOBAL, { value: runtime, enumerable: false, writable: false, configurable: true });
  placeBreakpointRuntime(runtime);
}

/**
 * Breakpoint conditions read the runtime as `0n.__runtruth$rt` (see BREAKPOINT_RUNTIME: no global name lookup in
 * V8's debug-evaluate scope). A program that froze BigInt.prototype keeps it unchanged: conditions fall back to the global.
 */
function placeBreakpointRuntime(runtime: ProbeRuntime): void {
  try {
    Object.defineProperty(BigInt.prototype, RUNTIME_GLOBAL, { value: runtime, enumerable: false, writable: false, configurable: true });
  } catch {
    // frozen or non-extensible: the global serves
  }
}

/** Removes the slot (after stop), only if it is still ours. */
export function removeSlot(handle: unknown): void {
  if (readSlot()?.handle !== handle) return;
  delete (globalThis as GlobalWithSlot)[AGENT_SLOT];
  // probe code the agent could not take out (its worker died) keeps finding closed gates, never a ReferenceError
  Object.defineProperty(globalThis, RUNTIME_GLOBAL, { value: INERT_RUNTIME, enumerable: false, writable: false, configurable: true });
  placeBreakpointRuntime(INERT_RUNTIME);
}
