/** One frame of the stack at an injected snapshot, in the running (generated) code; mapped in the worker. */
export interface RawFrame {
  functionName: string;
  /** What V8 names the script (a path for CommonJS, a file:// URL for ES modules), '' for eval'd code. */
  file: string;
  /** 1-based. */
  line: number;
  column: number;
}

const $captureStackTrace = Error.captureStackTrace;
const $defineProperty = Object.defineProperty;
const $getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;

interface CallSiteLike {
  getFunctionName(): string | null;
  getMethodName(): string | null;
  getTypeName(): string | null;
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

/**
 * The call stack below `above` (the runtime's snapshot call), as V8 structured call sites: no string formatting,
 * and never the program's own Error.prepareStackTrace (it is program code). The two Error statics are swapped
 * for the length of this synchronous call and restored before anything else can run; when they are not plain
 * writable data properties (a program froze or trapped them) there is no stack rather than a side effect.
 */
export function captureStack(above: (...args: never[]) => unknown, maxFrames: number): RawFrame[] {
  const prepare = $getOwnPropertyDescriptor(Error, 'prepareStackTrace');
  const limit = $getOwnPropertyDescriptor(Error, 'stackTraceLimit');
  if (!plainData(prepare) || !plainData(limit)) return [];
  const holder: { stack?: unknown } = {};
  try {
    $defineProperty(Error, 'prepareStackTrace', { value: structured, writable: true, configurable: true, enumerable: prepare?.enumerable ?? false });
    $defineProperty(Error, 'stackTraceLimit', { value: maxFrames, writable: true, configurable: true, enumerable: limit?.enumerable ?? true });
    $captureStackTrace(holder, above);
    const frames = holder.stack; // formatted now, by `structured`, while it is installed
    return Array.isArray(frames) ? (frames as RawFrame[]) : [];
  } catch {
    return [];
  } finally {
    restore('prepareStackTrace', prepare);
    restore('stackTraceLimit', limit);
  }
}

function structured(_error: unknown, sites: CallSiteLike[]): RawFrame[] {
  return sites.map((s) => {
    const fn = s.getFunctionName();
    const type = fn ? null : s.getTypeName();
    const method = fn ? null : s.getMethodName();
    return {
      functionName: fn ?? (method ? `${type ?? ''}${type ? '.' : ''}${method}` : ''),
      file: s.getFileName() ?? '',
      line: s.getLineNumber() ?? 1,
      column: s.getColumnNumber() ?? 1,
    };
  });
}

function plainData(d: PropertyDescriptor | undefined): boolean {
  return d === undefined || ('value' in d && d.writable === true && d.configurable === true);
}

function restore(name: 'prepareStackTrace' | 'stackTraceLimit', d: PropertyDescriptor | undefined): void {
  if (d) $defineProperty(Error, name, d);
  else delete (Error as unknown as Record<string, unknown>)[name];
}
