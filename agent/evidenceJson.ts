import type { AgentEvidence } from '../backend/protocol/evidence';

/**
 * A log hit's evidence item, already JSON text. Why text: the worker turns 25,000 hits/s into evidence, and a
 * per-hit object literal is what V8 pretenures: once a scavenge found most of a batch's fresh items alive (it came
 * mid-batch), V8 allocated every later one straight into old space, where they and the strings they point to live
 * until a full GC — on the memory bench the worker's old space then grew ~4 MB/s (a 16 → 50 MB sawtooth) in some
 * runs and not at all in others. Strings are never pretenured, so a hit now becomes strings only.
 */
export type EvidenceJson = string & { readonly __evidenceJson: true };

/** What waits in the evidence queue: log hits as text, snapshots and metric windows as objects. */
export type QueuedEvidence = AgentEvidence | EvidenceJson;

/** `{"kind":"log",…}` for one hit, exactly what JSON.stringify would write for the AgentLogEvidence object. */
export function logEvidenceJson(probeId: string, at: number, message: string): EvidenceJson {
  if (probeId !== quoted.id) quoted = { id: probeId, json: JSON.stringify(probeId) };
  return `{"kind":"log","probeId":${quoted.json},"at":"${isoTimestamp(at)}","message":${JSON.stringify(message)}}` as EvidenceJson;
}

/** The latest probe id and its JSON: hits come in runs of one probe, and the id is quoted once per run. */
let quoted = { id: '', json: '""' };

/** The second isoTimestamp last formatted, and its text up to the milliseconds (`2026-11-27T14:14:26.`). */
let isoSecond = NaN;
let isoPrefix = '';

/**
 * `new Date(ms).toISOString()`, formatting the date only when the second changes: the Date path costs ~600 ns, more
 * than the rest of a hit's evidence together, and hits arrive in time order, many to a second. Anything other than
 * whole milliseconds from 1970 to 9999 takes the Date path.
 */
export function isoTimestamp(ms: number): string {
  if (!(ms >= 0 && ms < MAX_FOUR_DIGIT_YEAR_MS) || ms % 1 !== 0) return new Date(ms).toISOString();
  const fraction = ms % 1000;
  const second = ms - fraction;
  if (second !== isoSecond) {
    isoSecond = second;
    isoPrefix = new Date(second).toISOString().slice(0, 20);
  }
  return `${isoPrefix}${fraction < 10 ? '00' : fraction < 100 ? '0' : ''}${fraction}Z`;
}

/** 10000-01-01T00:00:00Z: from there toISOString writes a six-digit, signed year. */
const MAX_FOUR_DIGIT_YEAR_MS = Date.UTC(10000, 0, 1);

/** An item's length on the wire, roughly: exact enough to keep batches under the frame limit. */
export function approximateChars(item: QueuedEvidence): number {
  if (typeof item === 'string') return item.length;
  if (item.kind === 'log') return item.message.length + 100;
  if (item.kind === 'metric') return 400;
  return JSON.stringify(item).length; // snapshots: once per batch, off the program's thread
}

/** The `evidence` frame (AgentToRelay) for a batch: items joined as text, `seq` when the relay acks. */
export function evidenceFrame(items: readonly QueuedEvidence[], dropped: number | undefined, seq: number | undefined): string {
  let body = '';
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    body += (i ? ',' : '') + (typeof item === 'string' ? item : JSON.stringify(item));
  }
  return `{"type":"evidence","items":[${body}]${dropped ? `,"dropped":${dropped}` : ''}${seq === undefined ? '' : `,"seq":${seq}`}}`;
}
