import assert from 'node:assert/strict';
import { EvidenceEvent, type Evidence } from '../../backend/protocol';
import { EvidenceOutbox } from '../../backend/relay/outbox';
import { until } from './helpers';

/** A socket stand-in whose unsent-bytes gauge the test controls. */
class FakeLink {
  frames: string[] = [];
  bufferedAmount = 0;
  isOpen = true;
  sendRaw(frame: string, onWritten?: () => void): boolean {
    this.frames.push(frame);
    if (onWritten) setImmediate(onWritten);
    return true;
  }
  events() {
    return this.frames.map((f) => EvidenceEvent.parse(JSON.parse(f)));
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function items(from: number, count: number, message = ''): Evidence[] {
  return Array.from({ length: count }, (_, i) => ({ kind: 'log', id: from + i, probeId: 'p-1', service: 's', instance: 'i', at: new Date(0).toISOString(), message: message || `m${from + i}` }));
}

describe('relay client outbox', () => {
  it('batches a tick of items into one frame per subscription', async () => {
    const link = new FakeLink();
    const outbox = new EvidenceOutbox(link, { maxQueuedItems: 100, maxBufferedBytes: 1e6, maxFrameBytes: 1e6 }, { room: () => undefined, dropped: () => undefined });
    outbox.enqueue('s-1', items(1, 2));
    outbox.enqueue('s-2', items(3, 1));
    outbox.enqueue('s-1', items(4, 1));
    await tick();
    assert.deepEqual(
      link.events().map((e) => [e.subscription, e.items.map((i) => i.kind === 'log' && i.id)]),
      [
        ['s-1', [1, 2, 4]],
        ['s-2', [3]],
      ],
    );
    outbox.close();
  });

  it('drops the oldest items for a client that does not read, and says so with a gap', async () => {
    const link = new FakeLink();
    link.bufferedAmount = 10_000; // stuck
    let dropped = 0;
    const outbox = new EvidenceOutbox(link, { maxQueuedItems: 5, maxBufferedBytes: 1000, maxFrameBytes: 1e6 }, { room: () => undefined, dropped: (n) => (dropped += n) });
    outbox.enqueue('s-1', items(1, 8));
    await tick();
    assert.equal(link.frames.length, 0, 'nothing is written while the socket is backed up');
    assert.equal(dropped, 3);

    link.bufferedAmount = 0;
    await until(() => link.frames.length > 0, 'the outbox notices the socket drained');
    const [event] = link.events();
    assert.deepEqual(event.items[0], { kind: 'gap', at: event.items[0].at, count: 3, where: 'client-queue' });
    assert.deepEqual(
      event.items.slice(1).map((i) => i.kind === 'log' && i.id),
      [4, 5, 6, 7, 8],
    );
    outbox.close();
  });

  it('splits a large batch into frames under the frame limit, keeping order', async () => {
    const link = new FakeLink();
    const outbox = new EvidenceOutbox(link, { maxQueuedItems: 1000, maxBufferedBytes: 1e9, maxFrameBytes: 4096 }, { room: () => undefined, dropped: () => undefined });
    outbox.enqueue('s-1', items(1, 40, 'x'.repeat(300)));
    await tick();
    assert.ok(link.frames.length > 1);
    assert.ok(link.frames.every((f) => Buffer.byteLength(f) <= 4096));
    assert.deepEqual(
      link.events().flatMap((e) => e.items.map((i) => i.kind === 'log' && i.id)),
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    outbox.close();
  });

  it('forgets a subscription that ended', async () => {
    const link = new FakeLink();
    const outbox = new EvidenceOutbox(link, { maxQueuedItems: 100, maxBufferedBytes: 1e6, maxFrameBytes: 1e6 }, { room: () => undefined, dropped: () => undefined });
    outbox.enqueue('s-1', items(1, 2));
    outbox.enqueue('s-2', items(3, 2));
    outbox.forget('s-1');
    await tick();
    assert.deepEqual(
      link.events().map((e) => e.subscription),
      ['s-2'],
    );
    outbox.close();
  });
});
