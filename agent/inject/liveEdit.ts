import { errorMessage } from '../diagnosticLog';
import type { InspectorClient } from '../inspectorClient';

/** How V8 answered an edit: applied, blocked for now (worth retrying), or refused (not worth it). */
export type EditOutcome =
  | { kind: 'ok'; ms: number }
  | { kind: 'blocked'; why: 'active-function' | 'suspended-generator'; ms: number }
  | { kind: 'refused'; reason: string; ms: number };

/** Debugger.setScriptSource's answer on Node 20-24 (newer than the devtools-protocol typings we build with). */
interface SetScriptSourceAnswer {
  status?: 'Ok' | 'CompileError' | 'BlockedByActiveGenerator' | 'BlockedByActiveFunction' | 'BlockedByTopLevelEsModuleChange';
  exceptionDetails?: { text?: string; exception?: { description?: string } };
}

/**
 * Replaces a script's source with V8 LiveEdit. The main thread compiles the new source and patches the changed
 * functions in place (it is blocked meanwhile: ~15-30 ms measured for a small file). V8 refuses while a changed
 * function is running (`BlockedByActiveFunction`: try again in a moment) or has a suspended invocation (an async
 * function awaiting, a generator: `BlockedByActiveGenerator`, until those calls finish).
 */
export async function editScript(client: InspectorClient, scriptId: string, source: string): Promise<EditOutcome> {
  const started = performance.now();
  let answer: SetScriptSourceAnswer;
  try {
    answer = (await client.post('Debugger.setScriptSource', { scriptId, scriptSource: source })) as SetScriptSourceAnswer;
  } catch (e) {
    return { kind: 'refused', reason: errorMessage(e), ms: performance.now() - started };
  }
  const ms = performance.now() - started;
  if (answer.exceptionDetails || answer.status === 'CompileError') {
    const details = answer.exceptionDetails;
    return { kind: 'refused', reason: `V8 could not compile the edited script: ${details?.exception?.description ?? details?.text ?? 'compile error'}`, ms };
  }
  switch (answer.status ?? 'Ok') {
    case 'Ok':
      return { kind: 'ok', ms };
    case 'BlockedByActiveFunction':
      return { kind: 'blocked', why: 'active-function', ms };
    case 'BlockedByActiveGenerator':
      return { kind: 'blocked', why: 'suspended-generator', ms };
    default:
      return { kind: 'refused', reason: `V8 refused the edit (${answer.status})`, ms };
  }
}
