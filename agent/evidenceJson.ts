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
  return `{"kind":"log","probeId":${JSON.stringify(probeId)},"at":"${new Date(at).toISOString()}","message":${JSON.stringify(message)}}` as EvidenceJson;
}

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
