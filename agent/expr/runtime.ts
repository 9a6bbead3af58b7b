import { functions, method, optionalMethod } from './calls';
import { checkGlobal, end, get, global, has, instanceOf, loose, oget, pow, prim, shl, trustGetter, typeofGlobal } from './guards';
import { $freeze, $getOwnPropertyDescriptor } from './intrinsics';

/** The hook calls probe code makes (see HitHook): gate, condition, record, error-as-value. */
export interface ProbeHookCalls {
  admit(probeId: string): boolean;
  ready(probeId: string): boolean;
  cond(probeId: string, value: unknown): boolean;
  hit(probeId: string, values: unknown[]): void;
  err(thrown: unknown): unknown;
}

/**
 * What compiled probe code calls, as `__runtruth$rt.<name>`: the hook's gate and record calls, and the guards
 * (short names keep injected lines short; compile.ts is the one place that emits them).
 */
export interface ProbeRuntime extends ProbeHookCalls {
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
}

/** Node's own lazy globals whose getters only return a value: probes may read `process.env.X`, `Buffer`. */
const NODE_GLOBAL_GETTERS = ['process', 'Buffer'];

/** Builds the runtime probe code reaches (a frozen, prototype-less object: nothing on it can be swapped). */
export function createProbeRuntime(hook: ProbeHookCalls): ProbeRuntime {
  for (const name of NODE_GLOBAL_GETTERS) trustGetter($getOwnPropertyDescriptor(globalThis, name)?.get);
  const runtime = Object.create(null) as ProbeRuntime;
  Object.assign(runtime, {
    admit: (id: string) => hook.admit(id),
    ready: (id: string) => hook.ready(id),
    cond: (id: string, value: unknown) => hook.cond(id, value),
    hit: (id: string, values: unknown[]) => hook.hit(id, values),
    err: (thrown: unknown) => hook.err(thrown),
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
  } satisfies ProbeRuntime);
  return $freeze(runtime);
}

/** What probe code left in the program finds once the agent stopped: every gate closed, so it costs a call. */
export const INERT_RUNTIME: ProbeRuntime = createProbeRuntime({
  admit: () => false,
  ready: () => false,
  cond: () => false,
  hit: () => undefined,
  err: (thrown) => thrown,
});
