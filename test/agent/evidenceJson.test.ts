import assert from 'node:assert/strict';
import { evidenceFrame, isoTimestamp, logEvidenceJson, type QueuedEvidence } from '../../agent/evidenceJson';
import type { AgentEvidence } from '../../backend/protocol/evidence';
import { AgentToRelay } from '../../backend/protocol/messages';

describe('agent: evidence written as JSON text', () => {
  const awkward = ['plain', 'quote " backslash \\ slash /', 'new\nline\ttab\r\u0000\u001f', 'héllo ✓ 🚀', 'lone \ud800 surrogate', ''];

  it('writes a log hit exactly as JSON.stringify writes the evidence object, whatever the message holds', () => {
    const at = Date.UTC(2026, 10, 27, 12, 0, 0, 7);
    for (const message of awkward) {
      const object: AgentEvidence = { kind: 'log', probeId: 'p-"1"', at: new Date(at).toISOString(), message };
      assert.equal(logEvidenceJson('p-"1"', at, message), JSON.stringify(object));
    }
  });

  it('writes timestamps exactly as toISOString does, across second, day and year boundaries and out of order', () => {
    const edges = [0, 1, 999, 1000, 59_999, 60_000, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2024, 2, 1), Date.UTC(2026, 10, 27, 12, 0, 0, 7), Date.UTC(9999, 11, 31, 23, 59, 59, 999)];
    const moments = [...edges, ...edges.map((ms) => ms + 1), ...edges.slice().reverse()];
    for (let ms = Date.UTC(2026, 0, 1) - 2500; ms < Date.UTC(2026, 0, 1) + 2500; ms += 7) moments.push(ms);
    for (const ms of moments) assert.equal(isoTimestamp(ms), new Date(ms).toISOString(), `ms ${ms}`);
    // what the fast path leaves alone is still what Date writes
    for (const ms of [-1, -86_400_001, 1.5, Date.UTC(10000, 0, 1), 8.64e15]) assert.equal(isoTimestamp(ms), new Date(ms).toISOString(), `ms ${ms}`);
    assert.throws(() => isoTimestamp(NaN), RangeError); // as toISOString does: the caller's clock is broken
  });

  it('quotes each probe id right when hits of several probes interleave', () => {
    const at = Date.UTC(2026, 10, 27, 12, 0, 0, 7);
    for (const id of ['p-a', 'p-"b"', 'p-a', 'p-\\c', 'p-"b"']) assert.equal(JSON.parse(logEvidenceJson(id, at, 'm')).probeId, id);
  });

  it('builds frames the relay accepts, mixing text items with objects, with and without seq and drops', () => {
    const metric: AgentEvidence = { kind: 'metric', probeId: 'm-1', at: new Date(0).toISOString(), metric: 'count', window: { start: new Date(0).toISOString(), end: new Date(1000).toISOString() }, count: 3 };
    const items: QueuedEvidence[] = [...awkward.map((m, i) => logEvidenceJson(`p-${i}`, i, m)), metric];
    for (const [dropped, seq] of [[undefined, undefined], [0, 1], [5, 42]] as const) {
      const frame = evidenceFrame(items, dropped, seq);
      const parsed = AgentToRelay.parse(JSON.parse(frame));
      const expected = { type: 'evidence', items: items.map((i) => (typeof i === 'string' ? JSON.parse(i) : i)), ...(dropped ? { dropped } : {}), ...(seq === undefined ? {} : { seq }) };
      assert.deepEqual(parsed, expected);
      assert.equal(frame, JSON.stringify(expected));
    }
  });
});
