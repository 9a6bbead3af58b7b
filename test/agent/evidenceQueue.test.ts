import assert from 'node:assert/strict';
import type { AgentEvidence } from '../../backend/protocol/evidence';
import { Backoff } from '../../agent/backoff';
import type { QueuedEvidence } from '../../agent/evidenceJson';
import { EvidenceQueue } from '../../agent/evidenceQueue';

const item = (n: number, message = `m${n}`): AgentEvidence => ({ kind: 'log', probeId: 'p-1', at: new Date(0).toISOString(), message });
const messageOf = (queued: QueuedEvidence) => {
  const e = (typeof queued === 'string' ? JSON.parse(queued) : queued) as AgentEvidence;
  return e.kind === 'log' ? e.message : e.kind;
};

describe('agent: evidence queue', () => {
  it('batches in order, up to the batch size', () => {
    const q = new EvidenceQueue({ maxQueued: 100, maxBatchItems: 3, maxBatchChars: 1e6, flushIntervalMs: 100 });
    for (let i = 0; i < 5; i++) q.push(item(i));
    assert.equal(q.full, true);
    assert.deepEqual(q.takeBatch()?.items.map(messageOf), ['m0', 'm1', 'm2']);
    assert.deepEqual(q.takeBatch()?.items.map(messageOf), ['m3', 'm4']);
    assert.equal(q.takeBatch(), undefined);
  });

  it('drops the oldest on overflow and reports the count once, with the next batch', () => {
    const q = new EvidenceQueue({ maxQueued: 3, maxBatchItems: 10, maxBatchChars: 1e6, flushIntervalMs: 100 });
    for (let i = 0; i < 5; i++) q.push(item(i));
    q.addDropped(2); // lost on the main thread
    assert.deepEqual(q.takeBatch(), { items: [item(2), item(3), item(4)], dropped: 4 });
    q.push(item(5));
    assert.deepEqual(q.takeBatch(), { items: [item(5)] });
  });

  it('keeps frames small by cutting batches by size', () => {
    const q = new EvidenceQueue({ maxQueued: 100, maxBatchItems: 100, maxBatchChars: 1000, flushIntervalMs: 100 });
    for (let i = 0; i < 4; i++) q.push(item(i, 'x'.repeat(400)));
    assert.equal(q.takeBatch()?.items.length, 2);
  });
});

describe('agent: reconnect backoff', () => {
  it('grows from 0.5 s to 30 s with jitter, and resets', () => {
    const b = new Backoff(500, 30_000, () => 1);
    const delays = Array.from({ length: 10 }, () => b.next());
    assert.deepEqual(delays.slice(0, 4), [500, 1000, 2000, 4000]);
    assert.equal(delays.at(-1), 30_000);
    b.reset();
    assert.equal(b.next(), 500);
    const low = new Backoff(500, 30_000, () => 0);
    assert.deepEqual([low.next(), low.next(), low.next()], [500, 500, 1000], 'jitter reaches down to half the step, never below 0.5 s');
  });
});
