import type { Hit } from '../channel';

/**
 * Rendered hits, main thread → agent worker, through a ring of shared memory: the main thread encodes each hit's
 * message straight into it and keeps nothing, and the worker drains it on its own timer.
 *
 * Why not messages: hits held on the main thread between flushes (20 ms, to spare a postMessage per event-loop
 * turn) survive the service's scavenges, and V8 answers any steady survival by growing the young generation to its
 * maximum: a logpoint at 10,000 hits/s on the hot-loop bench took the main thread's new space from 16 to 32 MB. In
 * the ring nothing of a hit outlives it on the JS heap, the main thread neither clones batches nor posts them, and
 * the memory is fixed: a full ring drops hits and counts them.
 *
 * One writer (the hook, on the main thread), one reader (the worker): the writer owns WRITE, the reader READ, each
 * published with an atomic store after the bytes it covers. A record, 8-byte aligned: the message's UTF-8 length
 * (i32), the probe id's (i32), the epoch ms (f64), the id's bytes, the message's; a length of WRAP sends the reader
 * back to offset 0. One byte always stays free, so WRITE = READ means empty. The writer uses typed-array element
 * stores and one captured Buffer write (~100 ns a hit, no allocation): nothing a program can patch.
 */

const WRITE = 0;
const READ = 1;
const DROPPED = 2;
const HEADER_INTS = 4;
const HEADER_BYTES = HEADER_INTS * 4;
const RECORD_HEAD = 16;
const WRAP = -1;

/**
 * Ring size: 128 KiB holds ~0.1 s of hits at 25,000/s (the worker drains every 20 ms while hits come, at most 80 ms
 * apart once they stop). It is also the bound on what reaches the worker from a line hit millions of times a second:
 * past ~130,000 hits/s of short messages the ring is full and a hit is dropped here and counted, instead of turned
 * into evidence the relay link would drop anyway.
 */
export const HIT_RING_BYTES = 128 * 1024;

// captured at load, before any probe runs: the program may patch these later (see expr/intrinsics)
const callBind = Function.prototype.bind.bind(Function.prototype.call) as <T extends (...args: never[]) => unknown>(fn: T) => (self: unknown, ...args: Parameters<T>) => ReturnType<T>;
const $atomicsLoad = Atomics.load;
const $atomicsStore = Atomics.store;
const $atomicsAdd = Atomics.add;
const encoder = new TextEncoder();
const $utf8Write = callBind(Buffer.prototype.utf8Write) as (self: Buffer, text: string, offset: number, length: number) => number;

/** The shared memory of a ring (created by the host, handed to both ends). */
export function createHitRingMemory(bytes = HIT_RING_BYTES): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + bytes);
}

const align8 = (n: number) => (n + 7) & ~7;

/** The views both ends read the ring's memory through. */
class RingViews {
  protected readonly header: Int32Array;
  protected readonly bytes: Buffer;
  protected readonly ints: Int32Array;
  protected readonly doubles: Float64Array;
  protected readonly capacity: number;

  constructor(memory: SharedArrayBuffer) {
    this.header = new Int32Array(memory, 0, HEADER_INTS);
    this.bytes = Buffer.from(memory, HEADER_BYTES);
    this.ints = new Int32Array(memory, HEADER_BYTES);
    this.doubles = new Float64Array(memory, HEADER_BYTES);
    this.capacity = this.bytes.length;
  }
}

/** The main thread's end. Never throws and never blocks: a hit that does not fit is dropped and counted. */
export class HitRingWriter extends RingViews {
  private write: number;

  constructor(memory: SharedArrayBuffer) {
    super(memory);
    this.write = $atomicsLoad(this.header, WRITE);
  }

  /** `id`: the probe id's UTF-8 bytes (encoded once, when the probe is armed). */
  push(id: Uint8Array, at: number, message: string): void {
    const worst = align8(RECORD_HEAD + id.length + message.length * 3);
    let start = this.write;
    const read = $atomicsLoad(this.header, READ);
    if (start >= read) {
      // free: the end of the buffer, then (after a wrap) up to READ - 1; with READ at 0 the last byte stays free
      if (this.capacity - start - (read === 0 ? 1 : 0) < worst) {
        if (read - 1 < worst) return this.drop();
        if (start < this.capacity) this.ints[start >> 2] = WRAP;
        start = 0;
      }
    } else if (read - start - 1 < worst) return this.drop();
    const bytes = this.bytes;
    const body = start + RECORD_HEAD;
    for (let i = 0; i < id.length; i++) bytes[body + i] = id[i]!;
    const written = message.length ? $utf8Write(bytes, message, body + id.length, worst - RECORD_HEAD - id.length) : 0;
    this.ints[start >> 2] = written;
    this.ints[(start >> 2) + 1] = id.length;
    this.doubles[(start >> 3) + 1] = at;
    let next = start + align8(RECORD_HEAD + id.length + written);
    if (next === this.capacity) next = 0; // a record that ends the buffer exactly: the reader wraps by position
    this.write = next;
    $atomicsStore(this.header, WRITE, next);
  }

  private drop(): void {
    $atomicsAdd(this.header, DROPPED, 1);
  }
}

/** The worker's end: everything written since the last drain, and how many hits were dropped meanwhile. */
export class HitRingReader extends RingViews {
  /** Whether anything was written since the last drain (two atomic loads: a drain's cost meter asks first). */
  pending(): boolean {
    return Atomics.load(this.header, WRITE) !== Atomics.load(this.header, READ);
  }

  /** Hands each hit to `onHit` as it is read (no object per hit: see agent/evidenceJson); returns the drops. */
  drainEach(onHit: (probeId: string, at: number, message: string) => void): number {
    const end = Atomics.load(this.header, WRITE);
    let read = Atomics.load(this.header, READ);
    while (read !== end) {
      const messageLength = this.ints[read >> 2]!;
      if (messageLength === WRAP) {
        read = 0;
        continue;
      }
      const idLength = this.ints[(read >> 2) + 1]!;
      const id = read + RECORD_HEAD;
      onHit(this.bytes.toString('utf8', id, id + idLength), this.doubles[(read >> 3) + 1]!, this.bytes.toString('utf8', id + idLength, id + idLength + messageLength));
      read += align8(RECORD_HEAD + idLength + messageLength);
      if (read === this.capacity) read = 0;
    }
    Atomics.store(this.header, READ, read);
    return Atomics.exchange(this.header, DROPPED, 0);
  }

  /** The same, collected (for tests and tools; the agent uses drainEach). */
  drain(): { hits: Hit[]; dropped: number } {
    const hits: Hit[] = [];
    const dropped = this.drainEach((probeId, at, message) => void hits.push({ probeId, at, message }));
    return { hits, dropped };
  }
}

/** A probe id as the writer wants it. */
export function encodeProbeId(probeId: string): Uint8Array {
  return encoder.encode(probeId);
}
