import type { AgentEvidence } from '../../backend/protocol/evidence';

type SnapshotItem = Extract<AgentEvidence, { kind: 'snapshot' }>;

/**
 * Makes sure a snapshot fits its byte limit as actually serialised (the size budget is an estimate): drops
 * locals from the deepest expanded frame up, then watch values, marking what was cut. The stack stays.
 */
export function fitToBytes(item: SnapshotItem, maxBytes: number): SnapshotItem {
  if (byteSize(item) <= maxBytes) return item;
  const fitted: SnapshotItem = { ...item, frames: item.frames.map((f) => ({ ...f })), truncated: true };
  for (let i = fitted.frames.length - 1; i >= 0 && byteSize(fitted) > maxBytes; i--) {
    if (fitted.frames[i]!.locals) delete fitted.frames[i]!.locals;
  }
  if (byteSize(fitted) > maxBytes && fitted.watches) {
    fitted.watches = fitted.watches.map((w) => ({ expression: w.expression, error: 'left out: the snapshot reached its size limit' }));
  }
  while (byteSize(fitted) > maxBytes && fitted.frames.length > 1) fitted.frames.pop();
  return fitted;
}

function byteSize(item: SnapshotItem): number {
  return Buffer.byteLength(JSON.stringify(item), 'utf8');
}
