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
 * published with an atomic store after the bytes it covers. A record is a u32 payload length, then the epoch ms
 * (f64), the probe id's byte length (u16), its UTF-8 bytes and the message's, padded to 4 bytes; a length of WRAP
 * sends the reader back to offset 0. One byte always stays free, so WRITE = READ means empty.
 */

const WRITE = 0;
const READ = 1;
const DROPPED = 2;
const HEADER_INTS = 4;
const HEADER_BYTES = HEADER_INTS * 4;
const RECORD_HEAD = 4 + 8 + 2;
const WRAP = 0xffffffff;

/** Ring size: 1 MiB holds ~0.4 s of hits at 25,000/s (the worker drains every 20 ms). */
export const HIT_RING_BYTES = 1 << 20;

// captured at load, before any probe runs: the program may patch these later (see expr/intrinsics)
const callBind = Function.prototype.bind.bind(Function.prototype.call) as <T extends (...args: never[]) => unknown>(fn: T) => (self: unknown, ...args: Parameters<T>) => ReturnType<T>;
const $atomicsLoad = Atomics.load;
const $atomicsStore = Atomics.store;
const $atomicsAdd = Atomics.add;
const encoder = new TextEncoder();
const $encodeInto = callBind(TextEncoder.prototype.encodeInto) as (self: unknown, text: string, into: Uint8Array) => { written: number };
const $subarray = callBind(Uint8Array.prototype.subarray) as (self: Uint8Array, start: number, end: number) => Uint8Array;
const $setBytes = callBind(Object.getPrototypeOf(Uint8Array.prototype).set as (array: ArrayLike<number>, offset?: number) => void) as (self: Uint8Array, from: Uint8Array, offset: number) => void;
const $setUint32 = callBind(DataView.prototype.setUint32) as (self: DataView, offset: number, value: number, littleEndian: boolean) => void;
const $setUint16 = callBind(DataView.prototype.setUint16) as (self: DataView, offset: number, value: number, littleEndian: boolean) => void;
const $setFloat64 = callBind(DataView.prototype.setFloat64) as (self: DataView, offset: number, value: number, littleEndian: boolean) => void;

/** The shared memory of a ring (created by the host, handed to both ends). */
export function createHitRingMemory(bytes = HIT_RING_BYTES): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + bytes);
}

const align4 = (n: number) => (n + 3) & ~3;

/** The main thread's end. Never throws and never blocks: a hit that does not fit is dropped and counted. */
export class HitRingWriter {
  private readonly header: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly capacity: number;
  private write: number;

  constructor(memory: SharedArrayBuffer) {
    this.header = new Int32Array(memory, 0, HEADER_INTS);
    this.bytes = new Uint8Array(memory, HEADER_BYTES);
    this.view = new DataView(memory, HEADER_BYTES);
    this.capacity = this.bytes.length;
    this.write = $atomicsLoad(this.header, WRITE);
  }

  /** `id`: the probe id's UTF-8 bytes (encoded once, when the probe is armed). */
  push(id: Uint8Array, at: number, message: string): void {
    const worst = align4(RECORD_HEAD + id.length + message.length * 3);
    let start = this.write;
    const read = $atomicsLoad(this.header, READ);
    if (start >= read) {
      // free: the end of the buffer, then (after a wrap) up to READ - 1; with READ at 0 the last byte stays free
      if (this.capacity - start - (read === 0 ? 1 : 0) < worst) {
        if (read - 1 < worst) return this.drop();
        if (this.capacity - start >= 4) $setUint32(this.view, start, WRAP, true);
        start = 0;
      }
    } else if (read - start - 1 < worst) return this.drop();
    const body = start + RECORD_HEAD;
    $setBytes(this.bytes, id, body);
    const { written } = $encodeInto(encoder, message, $subarray(this.bytes, body + id.length, start + worst));
    const payload = 8 + 2 + id.length + written;
    $setUint32(this.view, start, payload, true);
    $setFloat64(this.view, start + 4, at, true);
    $setUint16(this.view, start + 12, id.length, true);
    let next = start + align4(4 + payload);
    if (next === this.capacity) next = 0; // a record that ends the buffer exactly: the reader wraps by position
    this.write = next;
    $atomicsStore(this.header, WRITE, next);
  }

  private drop(): void {
    $atomicsAdd(this.header, DROPPED, 1);
  }
}

/** The worker's end: everything written since the last drain, and how many hits were dropped meanwhile. */
export class HitRingReader {
  private readonly header: Int32Array;
  private readonly buffer: Buffer;
  private readonly view: DataView;
  private readonly capacity: number;

  constructor(memory: SharedArrayBuffer) {
    this.header = new Int32Array(memory, 0, HEADER_INTS);
    this.buffer = Buffer.from(memory, HEADER_BYTES);
    this.view = new DataView(memory, HEADER_BYTES);
    this.capacity = this.buffer.length;
  }

  drain(): { hits: Hit[]; dropped: number } {
    const hits: Hit[] = [];
    const end = Atomics.load(this.header, WRITE);
    let read = Atomics.load(this.header, READ);
    while (read !== end) {
      if (this.capacity - read < 4 || this.view.getUint32(read, true) === WRAP) {
        read = 0;
        continue;
      }
      const payload = this.view.getUint32(read, true);
      const at = this.view.getFloat64(read + 4, true);
      const idLength = this.view.getUint16(read + 12, true);
      const id = read + RECORD_HEAD;
      hits.push({ probeId: this.buffer.toString('utf8', id, id + idLength), at, message: this.buffer.toString('utf8', id + idLength, read + 4 + payload) });
      read += align4(4 + payload);
      if (read >= this.capacity) read = 0;
    }
    Atomics.store(this.header, READ, read);
    return { hits, dropped: Atomics.exchange(this.header, DROPPED, 0) };
  }
}

/** A probe id as the writer wants it. */
export function encodeProbeId(probeId: string): Uint8Array {
  return encoder.encode(probeId);
}
