import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../backend/relay/store';
import { Harness, logItem, logProbe } from './helpers';

const bytesOf = (item: object) => Buffer.byteLength(JSON.stringify(item));

describe('relay retention by size', () => {
  let dir: string;
  let store: Store | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtruth-retention-test-'));
  });
  afterEach(() => {
    store?.close();
    store = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const items = (n: number, size: number, at = new Date()) =>
    Array.from({ length: n }, (_, i) => ({ kind: 'log' as const, probeId: 'p-1', at: at.toISOString(), message: `${i}`.padEnd(size, 'x'), service: 's', instance: 'i' }));

  it('keeps a running byte total that survives a reopen, and deletes the oldest first to get under the cap', () => {
    const file = path.join(dir, 'relay.db');
    store = openStore(file);
    const batch = items(10, 1000);
    store.evidence.append(batch, new Date());
    const total = batch.reduce((sum, item) => sum + bytesOf(item), 0);
    assert.equal(store.evidence.storedBytes(), total);
    store.close();
    store = openStore(file);
    assert.equal(store.evidence.storedBytes(), total, 'the total is stored with the rows, not recomputed from memory');

    const per = bytesOf(batch[0]!);
    // room for 3.5 items: the oldest 7 must go (whole items, oldest first)
    const result = store.evidence.prune({ olderThan: new Date(0), maxItems: 1_000_000, maxBytes: Math.floor(per * 3.5), batch: 100 });
    assert.deepEqual(result, { deleted: 7, reason: 'bytes' });
    assert.deepEqual(
      store.evidence.after(0, {}, 100).map((e) => e.id),
      [8, 9, 10],
    );
    assert.equal(store.evidence.storedBytes(), 3 * per);
    assert.equal(store.evidence.prunedThrough(), 7);
    assert.deepEqual(store.evidence.prune({ olderThan: new Date(0), maxItems: 1_000_000, maxBytes: Math.floor(per * 3.5), batch: 100 }), { deleted: 0 }, 'already under the cap');
  });

  it('names the limit that asked for the most when age, count and size all apply', () => {
    store = openStore(path.join(dir, 'relay.db'));
    const old = new Date(Date.now() - 3_600_000);
    store.evidence.append(items(2, 100, old), old);
    store.evidence.append(items(8, 100), new Date());
    const per = bytesOf(items(1, 100)[0]!);
    // age: 2 items; count (keep 6): 4 items; bytes (keep 3): 7 items
    assert.deepEqual(store.evidence.prune({ olderThan: new Date(Date.now() - 60_000), maxItems: 6, maxBytes: 3 * per, batch: 100 }), { deleted: 7, reason: 'bytes' });
    assert.equal(store.evidence.storedBytes(), 3 * per);
  });

  it('a relay with a small byte cap deletes the oldest evidence, counts it in /metrics, and marks the hole for resumers', async () => {
    const h = await Harness.start({ retention: { maxBytes: 2000, sweepIntervalMs: 50 } });
    try {
      const agent = await h.agent();
      const client = await h.client();
      const { probe } = await client.call('probe.add', { probe: logProbe() });
      const sub = await client.call('evidence.subscribe', {});
      const sent = Array.from({ length: 20 }, (_, n) => logItem(probe.id, `n=${n} `.padEnd(300, '.')));
      agent.peer.send({ type: 'evidence', items: sent });
      await client.next((m) => m.type === 'evidence' && m.subscription === sub.subscription);

      // every item is ~450 bytes stored: at most 4 fit under 2000
      const metricsUrl = `${h.relay.url.replace('ws:', 'http:')}/metrics`;
      let kept: number[] = [];
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        const { items: stored } = await client.call('evidence.query', { probeId: probe.id, afterId: 0 });
        kept = stored.filter((i) => i.kind === 'log').map((i) => (i as { id: number }).id);
        if (kept.length < 20) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(kept.length > 0 && kept.length <= 4, `kept ${kept.length}`);
      assert.deepEqual(kept, Array.from({ length: kept.length }, (_, i) => 20 - kept.length + 1 + i), 'the newest are kept, the oldest deleted');
      const res = await fetch(metricsUrl, { headers: { authorization: `Bearer ${h.adminToken}` } });
      const text = await res.text();
      const pruned = Number(/^runtruth_evidence_pruned_total\{reason="bytes"\} (\d+)$/m.exec(text)?.[1]);
      assert.equal(pruned, 20 - kept.length);
      assert.ok(Number(/^runtruth_evidence_stored_bytes (\d+)$/m.exec(text)?.[1]) <= 2000);

      const query = await client.call('evidence.query', { afterId: 0 });
      assert.deepEqual(query.items[0], { ...query.items[0], kind: 'gap', where: 'relay', count: 20 - kept.length });
      assert.ok(h.logs.some((l) => /retention: deleted \d+ evidence items \(\d+ by bytes\)/.test(l)));
    } finally {
      await h.close();
    }
  });
});
