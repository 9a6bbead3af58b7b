import assert from 'node:assert/strict';
import { FrameStore, type StoredFrame } from '../../agent/frameStore';

const text = (store: FrameStore, f: StoredFrame) => store.bytes(f).toString('utf8');

describe('agent: off-heap store for frames held until acked', () => {
  it('gives back every frame byte for byte, multi-byte characters included, until it is released', () => {
    const store = new FrameStore(64, 2);
    const frames = ['{"a":1}', '{"m":"héllo ✓ 🚀"}', 'x'.repeat(40), '{"b":2}'];
    const stored = frames.map((f) => store.store(f));
    assert.deepEqual(stored.map((f) => text(store, f)), frames);
    store.release(stored[0]!);
    assert.deepEqual(stored.slice(1).map((f) => text(store, f)), frames.slice(1), 'releasing one leaves the others intact');
  });

  it('reuses emptied chunks instead of allocating, and keeps at most its spare count', () => {
    const store = new FrameStore(32, 2);
    const chunksSeen = new Set<ArrayBufferLike>();
    for (let round = 0; round < 200; round++) {
      const held = Array.from({ length: 5 }, (_, i) => store.store(`{"r":${round},"i":${i}}`)); // ~16 bytes: 2 a chunk
      for (const f of held) chunksSeen.add(store.bytes(f).buffer);
      held.forEach((f, i) => assert.equal(text(store, f), `{"r":${round},"i":${i}}`));
      for (const f of held) store.release(f);
      assert.ok(store.chunkCount <= 3);
    }
    // a round fills three chunks: the emptied current one and the two spares serve every later round (600 without reuse)
    assert.equal(chunksSeen.size, 3);
  });

  it('stores a frame bigger than a chunk on its own, and survives releases in any order', () => {
    const store = new FrameStore(16, 2);
    const big = store.store('B'.repeat(100));
    const small = [store.store('one'), store.store('two'), store.store('three')];
    assert.equal(text(store, big), 'B'.repeat(100));
    store.release(small[1]!);
    store.release(big);
    assert.equal(text(store, small[0]!), 'one');
    assert.equal(text(store, small[2]!), 'three');
    store.release(small[0]!);
    store.release(small[2]!);
    const next = store.store('four');
    assert.equal(text(store, next), 'four');
  });

  it('gives its chunks back once the flow has stopped, and not while frames keep coming', async () => {
    const store = new FrameStore(32, 2, 30);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    store.release(store.store('{"a":1}'));
    for (let i = 0; i < 6; i++) {
      await sleep(10); // a steady flow: stored and released again well within the idle time
      store.release(store.store(`{"i":${i}}`));
    }
    assert.equal(store.chunkCount, 1, 'still in use while frames keep coming');
    const held = store.store('{"held":true}');
    await sleep(80);
    assert.equal(store.chunkCount, 1, 'kept while a frame is held');
    store.release(held);
    await sleep(80);
    assert.equal(store.chunkCount, 0, 'given back once idle');
    assert.equal(text(store, store.store('{"again":1}')), '{"again":1}');
  });
});
