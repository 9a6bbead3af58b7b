/** Bytes of one pooled chunk (a batch's frame is at most ~512 K characters: nearly always one fits). */
const CHUNK_BYTES = 512 * 1024;
/**
 * Emptied chunks kept for reuse. The sender holds back once 4 MiB are unacked or buffered (agentRuntime), so these
 * and the current chunk carry a steady flow without allocating; chunks dropped beyond them are freed only by a
 * full GC, which a heap that no longer grows rarely runs (with too few spares, dropped chunks added ~0.4 MB/s of
 * external memory at 25,000 hits/s).
 */
const SPARE_CHUNKS = 8;
/** Once nothing has been stored or held for this long, the chunks go back (the flow has stopped). */
const IDLE_TRIM_MS = 10_000;

interface Chunk {
  readonly buf: Buffer;
  /** Bytes written so far (the next frame starts here). */
  used: number;
  /** Frames stored in it and not yet released. */
  live: number;
  /** A frame too big for a pooled chunk gets a chunk of its own, never reused. */
  readonly pooled: boolean;
}

/** Where a stored frame lives (offsets, not a view: a view is made only when the frame is sent). */
export interface StoredFrame {
  readonly chunk: Chunk;
  readonly start: number;
  readonly end: number;
}

/**
 * Off-heap bytes for evidence frames the relay has not acknowledged yet (see relayUnacked). Held as JS strings
 * for the ~1 s an ack takes, every frame outlived two scavenges and was promoted: at 25,000 hits/s the worker's
 * old space grew ~3 MB/s until a full GC (a 16 → 60 MB sawtooth, measured with --trace-gc-nvp). Written into a few
 * reused chunks of memory outside the JS heap, a held frame costs the heap one small record.
 */
export class FrameStore {
  private current: Chunk | undefined;
  private spare: Buffer[] = [];
  /** Frames stored and not released, over all chunks. */
  private live = 0;
  /** Counts stores, so an idle trim can tell whether anything was stored since it was scheduled. */
  private stores = 0;
  private trimTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly chunkBytes = CHUNK_BYTES,
    private readonly spareChunks = SPARE_CHUNKS,
    private readonly idleTrimMs = IDLE_TRIM_MS,
  ) {}

  /** Copies the frame's UTF-8 bytes in. */
  store(frame: string): StoredFrame {
    this.stores++;
    this.live++;
    const bytes = Buffer.byteLength(frame);
    if (bytes > this.chunkBytes) {
      const own: Chunk = { buf: Buffer.allocUnsafeSlow(bytes), used: bytes, live: 1, pooled: false };
      own.buf.write(frame, 0, bytes, 'utf8');
      return { chunk: own, start: 0, end: bytes };
    }
    let chunk = this.current;
    if (!chunk || chunk.used + bytes > this.chunkBytes) chunk = this.current = { buf: this.spare.pop() ?? Buffer.allocUnsafeSlow(this.chunkBytes), used: 0, live: 0, pooled: true };
    const start = chunk.used;
    chunk.buf.write(frame, start, bytes, 'utf8');
    chunk.used += bytes;
    chunk.live++;
    return { chunk, start, end: chunk.used };
  }

  /** The frame's bytes, to send: valid until it is released (ws copies what it sends before send() returns). */
  bytes(frame: StoredFrame): Buffer {
    return frame.chunk.buf.subarray(frame.start, frame.end);
  }

  /** The frame is no longer needed; a chunk whose frames are all released is reused. */
  release(frame: StoredFrame): void {
    const chunk = frame.chunk;
    if (--this.live === 0) this.scheduleTrim();
    if (--chunk.live > 0 || !chunk.pooled) return;
    if (chunk === this.current) chunk.used = 0; // empty: write from its start again
    else if (this.spare.length < this.spareChunks) this.spare.push(chunk.buf);
  }

  /** Chunks this store keeps (the current one and the spares), for tests and diagnostics. */
  get chunkCount(): number {
    return this.spare.length + (this.current ? 1 : 0);
  }

  /** Everything released: if nothing is stored before the timer fires, the flow has stopped and the chunks go. */
  private scheduleTrim(): void {
    if (this.trimTimer) return;
    const stores = this.stores;
    this.trimTimer = setTimeout(() => {
      this.trimTimer = undefined;
      if (this.live > 0) return;
      if (this.stores !== stores) return this.scheduleTrim();
      this.spare = [];
      this.current = undefined;
    }, this.idleTrimMs);
    this.trimTimer.unref();
  }
}
