import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import type { WorkerToHook } from '../../agent/channel';
import { describeThrown, formatValue, MAX_MESSAGE_CHARS, renderMessage } from '../../agent/hook/formatValue';
import { HitHook } from '../../agent/hook/hitHook';
import { createHitRingMemory, HitRingReader } from '../../agent/hook/hitRing';
import { TokenBucket } from '../../agent/hook/tokenBucket';
import { waitUntil } from './helpers/wait';

describe('agent: safe value formatting', () => {
  it('renders strings raw and other values like console.log', () => {
    assert.equal(renderMessage(['a=', ' b=', ' c=', ''], ['15,000', 15000, { x: [1, 'y'] }]), "a=15,000 b=15000 c={ x: [ 1, 'y' ] }");
    assert.equal(formatValue(undefined), 'undefined');
    assert.equal(formatValue(10n), '10n');
  });

  it('never runs getters, custom inspectors or Proxy traps', () => {
    let ran = 0;
    const obj = {
      get secret() {
        ran++;
        return 1;
      },
      [Symbol.for('nodejs.util.inspect.custom')]() {
        ran++;
        return 'custom';
      },
    };
    const proxy = new Proxy({ a: 1 }, { get: () => (ran++, 2), ownKeys: () => (ran++, []), getOwnPropertyDescriptor: () => (ran++, undefined) });
    formatValue(obj);
    formatValue(proxy);
    assert.equal(ran, 0);
  });

  it('renders a thrown expression as <error: …> and caps long messages', () => {
    assert.equal(formatValue(describeThrown(new ReferenceError('x is not defined'))), '<error: ReferenceError: x is not defined>');
    const long = renderMessage(['', ''], ['x'.repeat(MAX_MESSAGE_CHARS * 2)]);
    assert.equal(long.length, MAX_MESSAGE_CHARS);
    assert.ok(long.endsWith('…[truncated]'), 'marked as truncated');
  });
});

describe('agent: token bucket', () => {
  it('allows a burst of a tenth of a second, then refills smoothly', () => {
    let now = 0;
    const bucket = new TokenBucket(100, () => now);
    let taken = 0;
    while (bucket.take()) taken++;
    assert.equal(taken, 10);
    now += 10; // a hundredth of a second → one token
    assert.equal(bucket.take(), true);
    assert.equal(bucket.take(), false);
    now += 10_000; // a quiet spell refills no more than the burst
    taken = 0;
    while (bucket.take()) taken++;
    assert.equal(taken, 10);
  });

  it('holds at least one token, however low its rate', () => {
    let now = 0;
    const bucket = new TokenBucket(1, () => now);
    assert.equal(bucket.take(), true);
    assert.equal(bucket.take(), false);
    now += 999;
    assert.equal(bucket.take(), false);
    now += 1;
    assert.equal(bucket.take(), true);
  });
});

describe('agent: main-thread hit hook', () => {
  it('admits armed probes within maxHits and ships rendered hits to the worker', async () => {
    const { port1, port2 } = new MessageChannel();
    const printed: string[] = [];
    const ring = createHitRingMemory(4096);
    const hook = new HitHook(port1, ring, { writeStdout: (text) => void printed.push(text) });
    port2.on('message', () => undefined);
    port2.postMessage({ type: 'arm', probe: { probeId: 'p-1', parts: ['v=', ''], maxPerSecond: 1000, maxHits: 2, stdout: true } } satisfies WorkerToHook);
    await waitUntil(() => hook.admit('p-1'), 'the arm message');
    const before = Date.now();
    hook.hit('p-1', [1]);
    assert.equal(hook.admit('p-1'), true);
    hook.hit('p-1', [hook.err(new TypeError('boom'))]);
    assert.equal(hook.admit('p-1'), false, 'maxHits reached');
    assert.equal(hook.admit('p-unknown'), false);
    const { hits, dropped } = new HitRingReader(ring).drain();
    assert.deepEqual(hits.map((h) => [h.probeId, h.message]), [['p-1', 'v=1'], ['p-1', 'v=<error: TypeError: boom>']]);
    assert.ok(hits.every((h) => h.at >= before && h.at <= Date.now()), 'stamped when the line ran');
    assert.equal(dropped, 0);
    await waitUntil(() => printed.length > 0, 'the stdout flush');
    assert.deepEqual(printed.join(''), '[runtruth p-1] v=1\n[runtruth p-1] v=<error: TypeError: boom>\n');
    port2.close();
  });
});
