import type { Protocol } from 'devtools-protocol';
import { errorMessage } from '../diagnosticLog';
import type { InspectorClient } from '../inspectorClient';
import { LOCAL_SCOPES, MAX_EXPANSIONS_PER_LEVEL, WATCH_TIMEOUT_MS, type Limits } from './limits';

type RemoteObject = Protocol.Runtime.RemoteObject;
type Property = Protocol.Runtime.PropertyDescriptor;

/** Objects V8 hands out during a pause live in this group, which V8 releases on resume: nothing to clean up. */
const PAUSE_GROUP = 'backtrace';

export interface CollectedFrame {
  functionName: string;
  url: string;
  scriptId: string;
  /** 1-based, in the running (generated) script. */
  line: number;
  column: number;
  /** Variables of the frame's local scopes, innermost first (a shadowed name appears once); expanded frames only. */
  locals?: Property[];
}

export interface CollectedWatch {
  expression: string;
  result?: RemoteObject;
  error?: string;
}

/** Everything read while the program was paused: CDP objects, serialised later (after resuming). */
export interface Collected {
  frames: CollectedFrame[];
  watches: CollectedWatch[];
  /** Own properties of the objects expanded while paused, by objectId. */
  properties: Map<string, Property[]>;
}

/**
 * Reads a paused frame stack as fast as the inspector allows: every scope and watch request of a level is sent
 * at once (pipelined), one round trip per level. Capture never invokes a getter (own properties only: accessors
 * come back as get/set functions, uncalled) or a Proxy trap (proxies are not expanded); watches run under V8's
 * side-effect check with a timeout. `skip` names values that will be redacted: they are not expanded at all.
 *
 * `resume` is called as soon as the last read has been *sent*: the inspector answers a session's requests in
 * order, so the program resumes right after the final reads are done instead of a round trip later.
 */
export async function collectWhilePaused(
  client: InspectorClient,
  paused: Protocol.Debugger.PausedEvent,
  watches: readonly string[],
  limits: Limits,
  skip: (name: string) => boolean,
  urlOf: (scriptId: string) => string | undefined,
  resume: () => void,
): Promise<Collected> {
  const callFrames = paused.callFrames.slice(0, limits.maxFrames);
  const frames: CollectedFrame[] = callFrames.map((f) => ({
    functionName: f.functionName,
    url: f.url || urlOf(f.location.scriptId) || '',
    scriptId: f.location.scriptId,
    line: f.location.lineNumber + 1,
    column: (f.location.columnNumber ?? 0) + 1,
  }));
  const properties = new Map<string, Property[]>();

  // Node's own frames (timers, the module loader) are named in the stack but their locals are not the program's
  const scopeReads = callFrames.slice(0, limits.expandFrames).map((f, i) =>
    isProgramCode(frames[i]!.url) ? Promise.all(f.scopeChain.filter((s) => LOCAL_SCOPES.has(s.type) && s.object.objectId).map((s) => ownProperties(client, s.object.objectId!))) : undefined,
  );
  const top = callFrames[0];
  const watchReads = watches.map((expression): Promise<CollectedWatch> => (top ? evaluateWatch(client, top.callFrameId, expression) : Promise.resolve({ expression, error: 'no frame' })));
  if (limits.depth <= 2) resume(); // nothing will be expanded: this was the last read
  const [scopes, watchResults] = await Promise.all([Promise.all(scopeReads), Promise.all(watchReads)]);
  scopes.forEach((perScope, i) => {
    if (perScope) frames[i]!.locals = mergeScopes(perScope);
  });

  // level 1 is the locals and watch values; each further level but the last is expanded here, the last comes from previews
  let level: RemoteObject[] = [...frames.flatMap((f) => (f.locals ?? []).filter((p) => !skip(p.name)).map((p) => p.value)), ...watchResults.map((w) => w.result)].filter(isDefined);
  for (let depth = 2; depth < limits.depth; depth++) {
    const expand = level.filter((o) => expandable(o, limits) && !properties.has(o.objectId!)).slice(0, MAX_EXPANSIONS_PER_LEVEL);
    if (!expand.length) break;
    const reads = Promise.all(expand.map((o) => ownProperties(client, o.objectId!)));
    if (depth + 1 >= limits.depth) resume();
    const results = await reads;
    expand.forEach((o, i) => properties.set(o.objectId!, results[i]!));
    level = results.flatMap((props) => props.filter((p) => !skip(p.name)).map((p) => p.value)).filter(isDefined);
  }
  resume();
  return { frames, watches: watchResults, properties };
}

async function ownProperties(client: InspectorClient, objectId: string): Promise<Property[]> {
  try {
    const r = await client.post('Runtime.getProperties', { objectId, ownProperties: true, accessorPropertiesOnly: false, generatePreview: true });
    return r.result;
  } catch {
    return []; // e.g. the object went away: the value shows without children
  }
}

async function evaluateWatch(client: InspectorClient, callFrameId: string, expression: string): Promise<CollectedWatch> {
  try {
    const r = await client.post('Debugger.evaluateOnCallFrame', {
      callFrameId,
      expression,
      objectGroup: PAUSE_GROUP,
      silent: true,
      generatePreview: true,
      throwOnSideEffect: true,
      // without a timeout, `while(true){}` counts as side-effect free and never ends
      timeout: WATCH_TIMEOUT_MS,
    });
    if (r.exceptionDetails) return { expression, error: describeException(r.exceptionDetails, r.result) };
    return { expression, result: r.result };
  } catch (e) {
    // a watch stopped by the timeout comes back as a failed command, not as an exception
    return { expression, error: /terminated/i.test(errorMessage(e)) ? `not evaluated: it ran longer than ${WATCH_TIMEOUT_MS} ms` : errorMessage(e) };
  }
}

function describeException(details: Protocol.Runtime.ExceptionDetails, result: RemoteObject): string {
  const text = (result.description ?? details.exception?.description ?? details.text).split('\n')[0]!;
  if (/side-effect/i.test(text)) return `not evaluated: it could change the program (${text})`;
  if (/terminated/i.test(text)) return `not evaluated: it ran longer than ${WATCH_TIMEOUT_MS} ms`;
  return text.slice(0, 500);
}

/** Locals of one frame: innermost scope first, a name shadowed by an inner scope dropped. */
function mergeScopes(scopes: Property[][]): Property[] {
  const seen = new Set<string>();
  const out: Property[] = [];
  for (const props of scopes) {
    for (const p of props) {
      if (seen.has(p.name)) continue;
      seen.add(p.name);
      out.push(p);
    }
  }
  return out;
}

/**
 * Objects worth a round trip: plain objects and arrays within the item limit whose preview does not already
 * hold everything (a preview lists up to 5 fields, one level deep); never proxies; collections by preview.
 */
function expandable(o: RemoteObject, limits: Limits): boolean {
  if (o.type !== 'object' || !o.objectId) return false;
  if (o.preview && !o.preview.overflow && o.preview.properties.every((p) => p.type !== 'object' || p.subtype === 'null')) return false;
  if (o.subtype === undefined) return true;
  if (o.subtype !== 'array') return false;
  const length = Number(/\((\d+)\)$/.exec(o.description ?? '')?.[1] ?? Infinity);
  return length <= limits.collectionItems;
}

function isProgramCode(url: string): boolean {
  return url !== '' && !url.startsWith('node:');
}

function isDefined<T>(v: T | undefined): v is T {
  return v !== undefined;
}
