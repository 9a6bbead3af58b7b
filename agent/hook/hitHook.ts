import type { MessagePort } from 'node:worker_threads';
import type { ArmedProbe, Hit, HitBatch, WorkerToHook } from '../channel';
import { describeThrown, ExpressionFailure, renderMessage } from './formatValue';
import { TokenBucket } from './tokenBucket';

/** Hits buffered on the main thread between flushes; past this the oldest are dropped (and counted). */
const MAX_BUFFERED_HITS = 2000;

interface ProbeSlot {
  armed: ArmedProbe;
  bucket: TokenBucket;
  fired: number;
}

/**
 * The main-thread end of every probe. Probe code (a breakpoint condition today, injected code later) calls
 * `admit` then `hit` synchronously inside the program; everything here must be cheap and must never throw.
 * Values are rendered at once (objects may change later) and shipped to the worker off the hot path.
 */
export class HitHook {
  private readonly probes = new Map<string, ProbeSlot>();
  private buffer: Hit[] = [];
  private stdoutLines: string[] = [];
  private dropped = 0;
  private flushScheduled = false;

  constructor(
    private readonly port: MessagePort,
    private readonly writeStdout: (text: string) => void = (text) => process.stdout.write(text),
  ) {
    port.on('message', (msg: WorkerToHook) => this.onTableUpdate(msg));
    port.unref(); // the hook must never keep the host process alive
  }

  /** Whether a hit of this probe should be recorded now: it is armed, under maxHits and under its rate. */
  admit(probeId: string): boolean {
    const slot = this.probes.get(probeId);
    if (!slot) return false;
    if (slot.armed.maxHits !== undefined && slot.fired >= slot.armed.maxHits) return false;
    return slot.bucket.take();
  }

  /** Records one admitted hit with the values of the template's expressions, in order. */
  hit(probeId: string, values: unknown[]): void {
    try {
      const slot = this.probes.get(probeId);
      if (!slot) return;
      slot.fired++;
      const message = renderMessage(slot.armed.parts, values);
      if (this.buffer.length >= MAX_BUFFERED_HITS) {
        this.buffer.shift();
        this.dropped++;
      }
      this.buffer.push({ probeId, at: Date.now(), message });
      if (slot.armed.stdout) this.stdoutLines.push(`[runtruth ${probeId}] ${message}\n`);
      this.scheduleFlush();
    } catch {
      // never into the program
    }
  }

  /** Turns an exception thrown by one expression into a value, so the other expressions still report. */
  err(thrown: unknown): ExpressionFailure {
    return describeThrown(thrown);
  }

  /** Forgets every probe (on stop): probe code still in the program becomes a no-op. */
  clear(): void {
    this.probes.clear();
  }

  private onTableUpdate(msg: WorkerToHook): void {
    if (msg.type === 'arm') this.probes.set(msg.probe.probeId, { armed: msg.probe, bucket: new TokenBucket(msg.probe.maxPerSecond), fired: 0 });
    else this.probes.delete(msg.probeId);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush()).unref();
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch: HitBatch = { type: 'hits', hits: this.buffer, dropped: this.dropped };
    const lines = this.stdoutLines;
    this.buffer = [];
    this.stdoutLines = [];
    this.dropped = 0;
    try {
      if (batch.hits.length || batch.dropped) this.port.postMessage(batch);
      if (lines.length) this.writeStdout(lines.join(''));
    } catch {
      // the worker is gone (agent stopped): nothing to deliver to
    }
  }
}
