import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { createHitRingMemory, encodeProbeId, HitRingReader, HitRingWriter } from '../../agent/hook/hitRing';

describe('agent: hit ring (main thread → worker, shared memory)', () => {
  const id = encodeProbeId('p-1');

  it('hands over hits in order, with their time, and any UTF-8', () => {
    const memory = createHitRingMemory(1024);
    const [writer, reader] = [new HitRingWriter(memory), new HitRingReader(memory)];
    writer.push(id, 1_700_000_000_123.5, 'amount=15,000');
    writer.push(encodeProbeId('p-é'), 2, 'naïve € 𝄞 ✓');
    writer.push(id, 3, '');
    assert.equal(reader.pending(), true);
    assert.deepEqual(reader.drain(), {
      hits: [
        { probeId: 'p-1', at: 1_700_000_000_123.5, message: 'amount=15,000' },
        { probeId: 'p-é', at: 2, message: 'naïve € 𝄞 ✓' },
        { probeId: 'p-1', at: 3, message: '' },
      ],
      dropped: 0,
    });
    assert.equal(reader.pending(), false, 'nothing written since the drain');
    assert.deepEqual(reader.drain(), { hits: [], dropped: 0 }, 'drained hits are gone');
  });

  it('wraps around its end many times without losing or garbling a hit', () => {
    const memory = createHitRingMemory(1024); // room for three records at their worst-case size, not many more
    const [writer, reader] = [new HitRingWriter(memory), new HitRingReader(memory)];
    const seen: string[] = [];
    const sent: string[] = [];
    for (let i = 0; i < 500; i++) {
      const message = `hit ${i} ${'x'.repeat(i % 37)}`;
      sent.push(message);
      writer.push(id, i, message);
      if (i % 3 === 2) seen.push(...reader.drain().hits.map((h) => h.message));
    }
    const last = reader.drain();
    seen.push(...last.hits.map((h) => h.message));
    assert.deepEqual(seen, sent);
    assert.equal(last.dropped, 0);
  });

  it('drops and counts what does not fit while the reader is behind, then takes hits again', () => {
    const memory = createHitRingMemory(256);
    const [writer, reader] = [new HitRingWriter(memory), new HitRingReader(memory)];
    for (let i = 0; i < 40; i++) writer.push(id, i, `message ${i}`);
    const first = reader.drain();
    assert.ok(first.hits.length > 0 && first.hits.length < 40, `${first.hits.length} fitted`);
    assert.equal(first.hits.length + first.dropped, 40);
    assert.deepEqual(first.hits.map((h) => h.at), [...first.hits.keys()], 'the first ones kept, in order');
    writer.push(id, 99, 'after');
    assert.deepEqual(reader.drain(), { hits: [{ probeId: 'p-1', at: 99, message: 'after' }], dropped: 0 });
  });

  it('drops a message longer than the whole ring instead of overrunning it', () => {
    const memory = createHitRingMemory(256);
    const [writer, reader] = [new HitRingWriter(memory), new HitRingReader(memory)];
    writer.push(id, 1, 'y'.repeat(300)); // over the ring's 256 bytes
    writer.push(id, 2, 'fits');
    assert.deepEqual(reader.drain(), { hits: [{ probeId: 'p-1', at: 2, message: 'fits' }], dropped: 1 });
  });

  it('writes with built-ins captured at load: a program patching them does not run inside a hit', () => {
    const memory = createHitRingMemory(1024);
    const [writer, reader] = [new HitRingWriter(memory), new HitRingReader(memory)];
    const patched: Array<[object, string, PropertyDescriptor]> = [
      [Buffer.prototype, 'utf8Write', Object.getOwnPropertyDescriptor(Buffer.prototype, 'utf8Write')!],
      [Buffer.prototype, 'write', Object.getOwnPropertyDescriptor(Buffer.prototype, 'write')!],
      [Atomics, 'store', Object.getOwnPropertyDescriptor(Atomics, 'store')!],
      [Atomics, 'load', Object.getOwnPropertyDescriptor(Atomics, 'load')!],
    ];
    let ran = 0;
    for (const [target, name] of patched) Object.defineProperty(target, name, { value: () => void ran++, configurable: true, writable: true });
    try {
      writer.push(id, 1, 'still here');
    } finally {
      for (const [target, name, descriptor] of patched) Object.defineProperty(target, name, descriptor);
    }
    assert.equal(ran, 0);
    assert.deepEqual(reader.drain().hits.map((h) => h.message), ['still here']);
  });

  it('is read by a real worker thread while the main thread writes', async () => {
    const memory = createHitRingMemory(16 * 1024);
    const writer = new HitRingWriter(memory);
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const { HitRingReader } = require(${JSON.stringify(require.resolve('../../agent/hook/hitRing'))});
       const reader = new HitRingReader(workerData);
       const got = [];
       parentPort.postMessage('ready');
       const timer = setInterval(() => {
         for (const h of reader.drain().hits) got.push(h.message);
         if (got.includes('last')) { clearInterval(timer); parentPort.postMessage(got); }
       }, 1);`,
      { eval: true, workerData: memory },
    );
    const messages: string[][] = [];
    const done = new Promise<void>((resolve, reject) => worker.on('message', (m: string | string[]) => (m === 'ready' ? resolve() : messages.push(m as string[]))).once('error', reject));
    await done;
    const sent: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const message = `n=${i}`;
      sent.push(message);
      writer.push(id, i, message);
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 2)); // let the reader make room
    }
    writer.push(id, 0, 'last');
    const end = Date.now() + 10_000;
    while (!messages.length && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    await worker.terminate();
    assert.deepEqual(messages[0], [...sent, 'last']);
  });
});
