import { renderCaptured } from '../../backend/cli/evidenceText';
import type { CapturedValue, SnapshotEvidence } from '../../backend/protocol';
import type { FrameNode, SnapshotDetail, ValueNode } from '../../webview/protocol';
import { clockTime } from './format';

/** Characters of one value's line in the explorer; the full value is in its children. */
const VALUE_CHARS = 200;

/** A captured value as an explorer node (the same tree the agent captured, nothing invented). */
export function valueNode(v: CapturedValue, fallbackName = '?'): ValueNode {
  const note = v.redacted ? 'redacted' : v.accessor ? 'accessor' : v.truncated ? 'truncated' : undefined;
  const hasChildren = !!v.children?.length && !v.redacted;
  const text = hasChildren ? (v.preview ?? v.type) : renderCaptured(v, VALUE_CHARS);
  return {
    name: v.name ?? fallbackName,
    type: v.type,
    text,
    ...(hasChildren ? { children: v.children!.map((c, i) => valueNode(c, String(i))) } : {}),
    ...(note ? { note } : {}),
  };
}

/** Long absolute paths keep their last three segments: the explorer is narrow, the tooltip has the rest. */
export function shortPath(file: string, keep = 3): string {
  const parts = file.split('/');
  return parts.length > keep + 1 && file.length > 40 ? `…/${parts.slice(-keep).join('/')}` : file;
}

/** A snapshot as the explorer shows it: frames (top first) with their locals, and the watches. */
export function snapshotDetail(e: SnapshotEvidence, location: string): SnapshotDetail {
  const frames: FrameNode[] = e.frames.map((f) => ({
    function: f.function || '(anonymous)',
    location: `${shortPath(f.file)}:${f.line}${f.column ? `:${f.column}` : ''}`,
    fullLocation: `${f.file}:${f.line}${f.column ? `:${f.column}` : ''}`,
    ...(f.locals ? { locals: f.locals.map((l) => valueNode(l)) } : {}),
  }));
  const watches: ValueNode[] = (e.watches ?? []).map((w) =>
    w.value ? { ...valueNode(w.value), name: w.expression } : { name: w.expression, type: 'error', text: `<${w.error ?? 'no value'}>` },
  );
  return {
    evidenceId: e.id,
    probeId: e.probeId,
    location,
    service: e.service,
    instance: e.instance,
    at: e.at,
    time: clockTime(e.at),
    frames,
    watches,
    truncated: !!e.truncated,
    ...(e.pauseMs !== undefined ? { pauseMs: e.pauseMs } : {}),
  };
}
