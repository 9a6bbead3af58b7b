import { RUNTIME_GLOBAL } from './allowlist';
import { compileExpression, type CompileOptions } from './compile';

/** A probe's expressions and condition, compiled to guarded code (see compile.ts), each on one line. */
export interface CompiledProbe {
  expressions: string[];
  condition?: string;
}

/** Compiles what a probe evaluates on each hit; `isDeclared` gives the scope at the probe's place when known. */
export function compileProbe(probe: { expressions: readonly string[]; condition?: string }, isDeclared?: CompileOptions['isDeclared']): CompiledProbe {
  const options: CompileOptions = isDeclared ? { isDeclared } : {};
  return {
    expressions: probe.expressions.map((source) => compileExpression(source, options)),
    ...(probe.condition !== undefined ? { condition: compileExpression(probe.condition, options) } : {}),
  };
}

/** `code` evaluated on its own: a throw becomes the hook's error value, so the other values still report. */
export function valueOrError(code: string): string {
  return `(() => { try { return ${code} } catch (__runtruth$x) { return ${RUNTIME_GLOBAL}.err(__runtruth$x) } })()`;
}
