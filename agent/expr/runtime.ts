import { functions, method, optionalMethod } from './calls';
import { checkGlobal, end, get, global, has, instanceOf, loose, oget, pow, prim, shl, trustGetter, typeofGlobal } from './guards';
import { captureStack, type RawFrame } from '../snapshot/inlineStack';
import { $append, $defineProperty, $freeze, $getOwnPropertyDescriptor, $setPrototypeOf } from './intrinsics';

/** The hook calls probe code makes (see HitHook): gate, condition, record, error-as-value. */
export interface ProbeHookCalls {
  admit(probeId: string): boolean;
  ready(probeId: string): boolean;
  cond(probeId: string, value: unknown): boolean;
  hit(probeId: string, values: unknown[]): void;
  err(thrown: unknown): unknown;
  /** An injected snapshot: the variables visible at the line (`values[i]` of `names[i]`; holes unreadable), the watch values, the stack. */
  snap(probeId: string, names: string[], values: unknown[], watches: unknown[], stack: RawFrame[]): void;
}

/**
 * What compiled probe code calls, as `__runtruth$rt.<name>`: the hook's gate and record calls, and the guards
 * (short names keep injected lines short; compile.ts is the one place that emits them).
 */
export interface ProbeRuntime extends Omit<ProbeHookCalls, 'snap'> {
  get: typeof get;
  oget: typeof oget;
  end: typeof end;
  g: typeof global;
  gc: typeof checkGlobal;
  tg: typeof typeofGlobal;
  p: typeof prim;
  eq: typeof loose;
  pow: typeof pow;
  shl: typeof shl;
  has: typeof has;
  inst: typeof instanceOf;
  f: typeof functions;
  m: typeof method;
  om: typeof optionalMethod;
  /**
   * A breakpoint-tier hit (see logpointCondition): gate, then `count` values, `read(runtime, i)` for each; always
   * false (V8 must never pause).
   */
  bp(probeId: string, count: number, read: BreakpointRead): false;
  /** The same with a condition, `read(runtime, -1)`: evaluated only when a hit could be admitted; one that throws is false. */
  bpc(probeId: string, count: number, read: BreakpointRead): false;
  /**
   * A paused snapshot's gate (see snapshot/gate): true, so V8 pauses, only when the condition (`when(runtime)`, if
   * any) holds and the hook admits the hit; a condition that throws is false.
   */
  sg(probeId: string, when?: (runtime: ProbeRuntime) => unknown): boolean;
  /** Starts an injected snapshot's capture array. */
  begin(): void;
  /** Stores a read variable into the capture array (defineProperty: no setter on Array.prototype runs). */
  put(index: number, value: unknown): void;
  /** Hands the capture to the hook. `column`: where the probe statement starts on its line (the top frame's position before the insertion). */
  snap(probeId: string, names: string[], watches: unknown[], column: number): void;
}

/** A breakpoint-tier probe's one thunk: value `i` of its expressions, or its condition for `i` = -1. */
export type BreakpointRead = (runtime: ProbeRuntime, i: number) => unknown;

/** Stack frames an injected snapshot reports (the snapshot limits cap it lower). */
const MAX_STACK_FRAMES = 200;

/** Node's own lazy globals whose getters only return a value: probes may read `process.env.X`, `Buffer`. */
const NODE_GLOBAL_GETTERS = ['process', 'Buffer'];

/** Builds the runtime probe code reaches (a frozen, prototype-less object: nothing on it can be swapped). */
export function createProbeRuntime(hook: ProbeHookCalls): ProbeRuntime {
  for (const name of NODE_GLOBAL_GETTERS) trustGetter($getOwnPropertyDescriptor(globalThis, name)?.get);
  // the stack is taken below this very function, so the top frame is the probed one
  let values: unknown[] = [];
  const readOne = (read: BreakpointRead, i: number): unknown => {
    try {
      return read(runtime, i);
    } catch (thrown) {
      return hook.err(thrown);
    }
  };
  // literals for the usual one or two values; $append (no Array.prototype setter runs) beyond
  const readAll = (count: number, read: BreakpointRead): unknown[] => {
    if (count === 1) return [readOne(read, 0)];
    if (count === 2) return [readOne(read, 0), readOne(read, 1)];
    const all: unknown[] = [];
    for (let i = 0; i < count; i++) $append(all, readOne(read, i));
    return all;
  };
  const snap = function snap(probeId: string, names: string[], watches: unknown[], column: number): void {
    const captured = values;
    values = [];
    const stack = captureStack(snap, MAX_STACK_FRAMES);
    if (stack[0]) stack[0].column = column; // the call sits inside the inserted text; the program's code starts here
    hook.snap(probeId, names, captured, watches, stack);
  };
  // One literal, then a null prototype: V8 keeps it in fast mode (Object.create(null) makes a dictionary), so
  // optimised probe code reads `R.admit`, `R.get`… as constants of a stable map, and can inline them.
  const runtime: ProbeRuntime = $setPrototypeOf({
    admit: (id: string) => hook.admit(id),
    ready: (id: string) => hook.ready(id),
    cond: (id: string, value: unknown) => hook.cond(id, value),
    hit: (id: string, values: unknown[]) => hook.hit(id, values),
    err: (thrown: unknown) => hook.err(thrown),
    bp: (id: string, count: number, read: BreakpointRead) => {
      try {
        if (hook.admit(id)) hook.hit(id, readAll(count, read));
      } catch {
        // never into the program
      }
      return false;
    },
    bpc: (id: string, count: number, read: BreakpointRead) => {
      try {
        if (hook.ready(id) && hook.cond(id, read(runtime, -1)) && hook.admit(id)) hook.hit(id, readAll(count, read));
      } catch {
        // a condition that throws is false; nothing reaches the program
      }
      return false;
    },
    sg: (id: string, when?: (runtime: ProbeRuntime) => unknown) => {
      try {
        return (when === undefined || Boolean(when(runtime))) && hook.admit(id) === true;
      } catch {
        return false;
      }
    },
    begin: () => void (values = []),
    put: (index: number, value: unknown) => void $defineProperty(values, index, { __proto__: null, value, writable: true, enumerable: true, configurable: true } as PropertyDescriptor),
    snap,
    get,
    oget,
    end,
    g: global,
    gc: checkGlobal,
    tg: typeofGlobal,
    p: prim,
    eq: loose,
    pow,
    shl,
    has,
    inst: instanceOf,
    f: functions,
    m: method,
    om: optionalMethod,
  } satisfies ProbeRuntime, null) as ProbeRuntime;
  return $freeze(runtime);
}

/** What probe code left in the program finds once the agent stopped: every gate closed, so it costs a call. */
export const INERT_RUNTIME: ProbeRuntime = createProbeRuntime({
  admit: () => false,
  ready: () => false,
  cond: () => false,
  hit: () => undefined,
  err: (thrown) => thrown,
  snap: () => undefined,
});
