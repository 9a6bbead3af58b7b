import assert from 'node:assert/strict';
import { evidenceFrame, logEvidenceJson, type QueuedEvidence } from '../../agent/evidenceJson';
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
