import assert from 'node:assert/strict';
import { redactForDisplay, WITHHELD } from '../../agent/redact/displayValue';
import { Redactor } from '../../agent/redact/rules';

/** Runs `fn` while Array.prototype has an accessor at index 0 that throws (as a hostile program may install). */
function withIndexAccessor<T>(fn: () => T): T {
  const before = Object.getOwnPropertyDescriptor(Array.prototype, 0);
  const trap = () => {
    throw new Error('program accessor ran');
  };
  Object.defineProperty(Array.prototype, 0, { get: trap, set: trap, configurable: true });
  try {
    return fn();
  } finally {
    if (before) Object.defineProperty(Array.prototype, 0, before);
    else delete (Array.prototype as unknown as Record<number, unknown>)[0];
  }
}

describe('agent redaction: a program with an accessor on Array.prototype[0]', () => {
  const r = new Redactor({ values: ['\\d{3}-\\d{2}-\\d{4}'] });

  it('still withholds card numbers and value matches in strings, without running the accessor', () => {
    const checked = withIndexAccessor(() => [r.checkString('card 4111 1111 1111 1111 ok'), r.checkString('ssn 123-45-6789'), r.checkString('plain')]);
    assert.deepEqual(checked, [
      { text: 'card [redacted] ok', redacted: true },
      { text: 'ssn [redacted]', redacted: true },
      { text: 'plain', redacted: false },
    ]);
  });

  it('still redacts inside sparse arrays and maps', () => {
    const sparse: unknown[] = [];
    sparse[1] = '4111 1111 1111 1111'; // index 0 is a hole: writing it would reach the prototype
    const map = new Map<unknown, unknown>([['password', 'x'], ['note', 'fine']]);
    const [arrayOut, mapOut] = withIndexAccessor(() => [redactForDisplay(sparse, r), redactForDisplay(map, r)]);
    assert.equal(Object.hasOwn(arrayOut as object, 0), false, 'the hole stays a hole');
    assert.equal(Object.getOwnPropertyDescriptor(arrayOut as object, 1)?.value, '[redacted]');
    assert.equal((arrayOut as unknown[]).length, 2);
    assert.deepEqual([...(mapOut as Map<unknown, unknown>)].map(([k, v]) => [k, v]), [['password', WITHHELD], ['note', 'fine']]);
  });
});

describe('agent redaction: a program that patched the iterators a Map is walked with', () => {
  const r = new Redactor();

  it('redacts a Map without running a patched Map iterator next() or Array iterator (entry destructuring)', () => {
    const mapIteratorProto = Object.getPrototypeOf(new Map().entries()) as { next: () => unknown };
    const saved = { next: mapIteratorProto.next, arrayIterator: Array.prototype[Symbol.iterator] };
    const ran: string[] = [];
    const map = new Map<unknown, unknown>([['token', 's3cret'], ['note', 'fine']]);
    let out: unknown;
    try {
      mapIteratorProto.next = function (this: unknown) {
        ran.push('MapIterator.next');
        return saved.next.call(this);
      };
      Array.prototype[Symbol.iterator] = function (this: unknown[]) {
        ran.push('Array iterator');
        return saved.arrayIterator.call(this);
      };
      out = redactForDisplay(map, r);
    } finally {
      mapIteratorProto.next = saved.next;
      Array.prototype[Symbol.iterator] = saved.arrayIterator;
    }
    assert.deepEqual(ran, []);
    assert.ok(out instanceof Map && out !== map, 'a redacted copy');
    assert.deepEqual([...(out as Map<unknown, unknown>)], [['token', WITHHELD], ['note', 'fine']]);
  });
});
