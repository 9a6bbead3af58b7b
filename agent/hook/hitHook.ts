import { getHeapSpaceStatistics } from 'node:v8';
import type { MessagePort } from 'node:worker_threads';
import type { ArmedAck, ArmedProbe, HeapSize, HookBatch, InlineSnapshot, MetricBatch, WorkerToHook } from '../channel';
import { MetricAggregator } from '../metrics/aggregator';
import { durationEndId } from '../metrics/durationEnd';
import { redactForDisplay, restoreMarks, WITHHELD } from '../redact/displayValue';
import { expressionName, Redactor } from '../redact/rules';
import { InlineSerialiser } from '../snapshot/inlineSerialise';
import type { RawFrame } from '../snapshot/inlineStack';
import { CpuBudget, type BudgetEvent, type ExecutionTier } from './cpuBudget';
import { describeThrown, ExpressionFailure, renderMessage } from './formatValue';
import { encodeProbeId, HitRingWriter } from './hitRing';
import { TokenBucket } from './tokenBucket';

/** Captured at load: a program that patches Date.now must not run inside our hits. */
const $dateNow = Date.now;

interface ProbeSlot {
  armed: ArmedProbe;
  /** The probe id as the hit ring stores it. */
  idBytes: Uint8Array;
  bucket: TokenBucket;
  fired: number;
  /** A metric's aggregate (role 'metric'). */
  metric?: MetricAggregator;
  /** A duration's end site: its hits close the parent's stretches. */
  endOf?: ProbeSlot;
  /** Paused by the CPU budget. */
  paused?: boolean;
  /** ready() calls, to time one condition in CONDITION_SAMPLE (see ready). */
  readies?: number;
  /** When the sampled condition started (0: this call is not sampled). */
  sampledAt?: number;
  /** When the latest snapshot hit was admitted (an injected capture's main-thread time starts there). */
  gateAt?: number;
  /** Executions of the probe's line (admit or ready calls, admitted or not), charged every chargeMask + 1. */
  calls: number;
  chargeMask: number;
  /** How the probe runs (the worker says once it is placed; injected until then, the cheaper assumption). */
  tier: ExecutionTier;
  /** Its code calls ready() (a condition) before admit(): executions are counted there, once. */
  conditioned?: boolean;
}

/**
 * Executions are charged in batches (a mask test per call): an injected gate's 1,024 calls are ~26 µs, a
 * breakpoint's 16 hits ~1.3 ms (each already ~80 µs, so the batch stays well under the 20 ms budget).
 */
const CHARGE_MASK: Readonly<Record<ExecutionTier, number>> = { inject: 1023, breakpoint: 15 };

/**
 * Injected snapshots and stdout lines wait this long on the main thread before going out together (a postMessage
 * costs the main thread ~10 µs). Rendered hits do not wait: they go into the hit ring at once.
 */
const FLUSH_DELAY_MS = 20;

/** Injected snapshots held between flushes (they are rate-limited, 1/s by default: this is a backstop). */
const MAX_BUFFERED_SNAPSHOTS = 50;

/** One condition evaluation in this many is timed for the CPU budget (and charged this many times over). */
const CONDITION_SAMPLE = 256;

/**
 * Samples not taken at first: the first evaluations of a condition compile it and warm its inline caches (tens of µs
 * each), and charged 256 times over they could throttle a probe in its first milliseconds, before its line's rate
 * is known (CpuBudget.spanFor), instead of the rate deciding.
 */
const COLD_SAMPLES = 2;


export interface HitHookOptions {
  /** Where logpoints marked `stdout` write (the service's own stdout by default). */
  writeStdout?: (text: string) => void;
  /** The clock probe time is measured with (tests drive it to stand for a preempted or slow hit). */
  now?: () => number;
  /** Share of one core all probes may use (CpuBudget's `share`). */
  cpuBudget?: number;
}

/**
 * The main-thread end of every probe. Probe code (a breakpoint condition today, injected code later) calls
 * `admit` then `hit` synchronously inside the program; everything here must be cheap and must never throw.
 * Values are rendered at once (objects may change later) and written to the hit ring, which the worker drains.
 */
export class HitHook {
  private readonly probes = new Map<string, ProbeSlot>();
  private readonly ring: HitRingWriter;
  private stdoutLines: string[] = [];
  private snapshots: InlineSnapshot[] = [];
  private dropped = 0;
  private flushScheduled = false;
  /** The default denylist applies from the start; configured rules arrive from the worker. */
  private redactor = new Redactor();
  private readonly budget: CpuBudget;
  /** Clock reading of the latest admit (0: none pending), and the slot of the latest ready(). */
  private admittedAt = 0;
  private readySlot?: ProbeSlot;

  private readonly writeStdout: (text: string) => void;
  private readonly now: () => number;

  constructor(
    private readonly port: MessagePort,
    hitRing: SharedArrayBuffer,
    options: HitHookOptions = {},
  ) {
    this.ring = new HitRingWriter(hitRing);
    this.writeStdout = options.writeStdout ?? ((text) => process.stdout.write(text));
    const now = (this.now = options.now ?? (() => performance.now()));
    this.budget = new CpuBudget(
      (probeId, paused) => {
        const slot = this.probes.get(probeId);
        if (slot) slot.paused = paused;
      },
      // sent at once, not at the next flush: a probe in a loop that never yields must still be taken out
      (event) => this.sendBudgetEvent(event),
      { now, ...(options.cpuBudget !== undefined ? { share: options.cpuBudget } : {}) },
    );
    port.on('message', (msg: WorkerToHook) => this.onTableUpdate(msg));
    port.unref(); // the hook must never keep the host process alive
  }

  /** Whether a hit of this probe should be recorded now: it is armed, under maxHits and under its rate. */
  admit(probeId: string): boolean {
    const slot = this.probes.get(probeId);
    if (!slot) return false;
    if (!slot.conditioned && (++slot.calls & slot.chargeMask) === 0) this.chargeExecutions(slot);
    if (slot.paused) return false;
    if (slot.endOf) return slot.endOf.metric!.hasOpenStart; // an end pairs whenever a start is open
    if (slot.armed.maxHits !== undefined && slot.fired >= slot.armed.maxHits) return false;
    const { role, metric } = slot.armed;
    if (role === 'metric' && metric !== 'duration') {
      // every hit counts, however many are sampled; a count needs nothing more (hit() is never called)
      slot.fired++;
      slot.metric!.counted();
      return metric === 'value' && slot.bucket.take();
    }
    if (!slot.bucket.take()) return false;
    // the snapshot pause that follows is the hit; it happens in the worker, so nothing is charged here
    if (role === 'gate') {
      slot.fired++;
      slot.gateAt = slot.bucket.lastNow;
      return true;
    }
    this.admittedAt = slot.bucket.lastNow; // the hit's cost is charged to the CPU budget from here
    return true;
  }

  /**
   * For a probe with a condition, before the condition runs: whether a hit could be admitted now, so a paused,
   * spent or throttled probe does not evaluate its condition at all. One call in CONDITION_SAMPLE times the
   * condition (see cond) for the CPU budget.
   */
  ready(probeId: string): boolean {
    const slot = this.probes.get(probeId);
    if (!slot) return false;
    slot.conditioned = true;
    if ((++slot.calls & slot.chargeMask) === 0) this.chargeExecutions(slot);
    if (slot.paused) return false;
    // a metric counts every hit that passes its condition (admit samples); a logpoint needs a token
    if (slot.armed.role !== 'metric' && !slot.endOf && !slot.bucket.peek()) return false;
    this.readySlot = slot;
    const readies = (slot.readies = (slot.readies ?? 0) + 1);
    slot.sampledAt = readies % CONDITION_SAMPLE === 0 && readies > CONDITION_SAMPLE * COLD_SAMPLES ? this.now() : 0;
    return true;
  }

  /** The condition's value, right after ready(): charges a sampled evaluation's time, then says whether it held. */
  cond(probeId: string, value: unknown): boolean {
    const slot = this.readySlot;
    if (slot?.sampledAt) {
      const now = this.now();
      this.budget.charge(probeId, (now - slot.sampledAt) * CONDITION_SAMPLE, now);
      slot.sampledAt = 0;
    }
    return !!value;
  }

  /** Records one admitted hit with the values of the template's expressions, in order. */
  hit(probeId: string, values: unknown[]): void {
    try {
      const slot = this.probes.get(probeId);
      if (!slot) return;
      if (slot.endOf) return void (slot.endOf.fired++, slot.endOf.metric!.end());
      if (slot.metric) return void (slot.armed.metric === 'duration' ? slot.metric.start() : slot.metric.value(values[0]));
      slot.fired++;
      const message = restoreMarks(renderMessage(slot.armed.parts, this.withheld(slot.armed, values)));
      this.ring.push(slot.idBytes, $dateNow(), message);
      if (slot.armed.stdout) {
        this.stdoutLines.push(`[runtruth ${probeId}] ${message}\n`);
        this.scheduleFlush();
      }
    } catch {
      // never into the program
    } finally {
      this.chargeHit(probeId);
    }
  }

  /**
   * An injected snapshot's capture (see probeStatement): serialises the variables and watch values now, under the
   * probe's limits and the redaction rules, without running program code (InlineSerialiser); the worker maps the
   * stack to original positions and sends it on.
   */
  snap(probeId: string, names: string[], values: unknown[], watches: unknown[], stack: RawFrame[]): void {
    try {
      const slot = this.probes.get(probeId);
      const config = slot?.armed.snapshot;
      if (!slot || !config) return;
      const serialiser = new InlineSerialiser(config.limits, this.redactor);
      const locals = serialiser.named(names, values);
      const watchResults = config.watches.map((expression, i) => {
        const v = watches[i];
        return v instanceof ExpressionFailure ? { expression, error: v.description.slice(0, 2000) } : { expression, value: serialiser.value(undefined, v, 1, expressionName(expression)) };
      });
      const now = this.now();
      const pauseMs = slot.gateAt ? now - slot.gateAt : 0;
      if (this.snapshots.length >= MAX_BUFFERED_SNAPSHOTS) {
        this.snapshots.shift();
        this.dropped++;
      }
      this.snapshots.push({ probeId, at: $dateNow(), stack: stack.slice(0, config.limits.maxFrames), locals, watches: watchResults, truncated: serialiser.budget.exhausted, pauseMs, maxBytes: config.limits.maxBytes });
      this.budget.charge(probeId, pauseMs, now);
      this.scheduleFlush();
    } catch {
      // never into the program
    }
  }

  /** Charges a batch of executions (a duration's end site to its probe: one probe, one budget). */
  private chargeExecutions(slot: ProbeSlot): void {
    try {
      const owner = slot.endOf ?? slot;
      this.budget.chargeExecutions(owner.armed.probeId, slot.chargeMask + 1, owner.tier, this.now());
    } catch {
      // never into the program
    }
  }

  private sendBudgetEvent(event: BudgetEvent): void {
    try {
      this.port.postMessage({ type: 'batch', dropped: 0, budget: [event] } satisfies HookBatch);
    } catch {
      // the worker is gone
    }
  }

  /** Charges the time since the latest admit (expressions evaluated, message rendered) to the CPU budget. */
  private chargeHit(probeId: string): void {
    if (!this.admittedAt) return;
    try {
      const now = this.now();
      this.budget.charge(probeId, now - this.admittedAt, now);
    } catch {
      // never into the program
    }
    this.admittedAt = 0;
  }

  /** Turns an exception thrown by one expression into a value, so the other expressions still report. */
  err(thrown: unknown): ExpressionFailure {
    return describeThrown(thrown);
  }

  /** Forgets every probe (on stop): probe code still in the program becomes a no-op. */
  clear(): void {
    this.probes.clear();
    this.budget.clear();
  }

  /** Values with sensitive ones withheld: by the expression's name, or inside the value (redactForDisplay). */
  private withheld(armed: ArmedProbe, values: unknown[]): unknown[] {
    return values.map((v, i) => (armed.redact?.[i] ? WITHHELD : redactForDisplay(v, this.redactor)));
  }

  private onTableUpdate(msg: WorkerToHook): void {
    try {
      if (msg.type === 'arm') {
        this.arm(msg.probe);
        this.port.postMessage({ type: 'armed', probeId: msg.probe.probeId } satisfies ArmedAck);
      }
      else if (msg.type === 'disarm') {
        this.probes.delete(msg.probeId);
        this.probes.delete(durationEndId(msg.probeId));
        this.budget.forget(msg.probeId);
      } else if (msg.type === 'placed') this.placed(msg.probeId, msg.tier);
      else if (msg.type === 'redaction') this.redactor = new Redactor(msg.config);
      else if (msg.type === 'cpuBudget') this.budget.setShare(msg.share);
      else if (msg.type === 'workerCost') this.chargeWorker(msg.costs);
      else if (msg.type === 'heapSize') this.port.postMessage({ type: 'heapSize', bytes: walkedHeapBytes() } satisfies HeapSize);
      else this.flushMetrics();
    } catch {
      // a bad update must not surface in the program's event loop
    }
  }

  /** The worker's time on each probe's hits, charged to the probe like its time here (a disarmed probe's is not). */
  private chargeWorker(costs: Array<[string, number]>): void {
    const now = this.now();
    for (const [probeId, ms] of costs) if (this.probes.has(probeId)) this.budget.chargeSum(probeId, ms, now);
  }

  private arm(armed: ArmedProbe): void {
    const slot: ProbeSlot = { armed, idBytes: encodeProbeId(armed.probeId), bucket: new TokenBucket(armed.maxPerSecond, this.now), fired: 0, paused: false, readies: 0, sampledAt: 0, calls: 0, chargeMask: CHARGE_MASK.inject, tier: 'inject' };
    if (armed.role === 'metric' && armed.metric) slot.metric = new MetricAggregator(armed.probeId, armed.metric);
    this.probes.set(armed.probeId, slot);
    if (armed.metric === 'duration') {
      const endId = durationEndId(armed.probeId);
      this.probes.set(endId, { armed: { ...armed, probeId: endId }, idBytes: encodeProbeId(endId), bucket: slot.bucket, fired: 0, endOf: slot, calls: 0, chargeMask: CHARGE_MASK.inject, tier: 'inject' });
    }
  }

  /** The probe is in the program, in this tier: its executions are charged at that tier's cost from now on. */
  private placed(probeId: string, tier: ExecutionTier): void {
    for (const id of [probeId, durationEndId(probeId)]) {
      const slot = this.probes.get(id);
      if (!slot) continue;
      slot.tier = tier;
      slot.chargeMask = CHARGE_MASK[tier];
      slot.calls = 0;
    }
    this.budget.setTier(probeId, tier);
  }

  private flushMetrics(): void {
    const windows = [...this.probes.values()].flatMap((slot) => (slot.metric ? [slot.metric.take()] : []));
    const batch: MetricBatch = { type: 'metrics', windows };
    try {
      this.port.postMessage(batch);
    } catch {
      // the worker is gone
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setTimeout(() => this.flush(), FLUSH_DELAY_MS).unref();
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch: HookBatch = {
      type: 'batch',
      dropped: this.dropped,
      ...(this.snapshots.length ? { snapshots: this.snapshots } : {}),
    };
    const lines = this.stdoutLines;
    this.snapshots = [];
    this.stdoutLines = [];
    this.dropped = 0;
    try {
      if (batch.dropped || batch.snapshots) this.port.postMessage(batch);
      if (lines.length) this.writeStdout(lines.join(''));
    } catch {
      // the worker is gone (agent stopped): nothing to deliver to
    }
  }
}

/** Spaces a live edit's heap walk hardly pays for (see HeapSize): the young generation and large objects. */
const UNWALKED_SPACES = new Set(['new_space', 'new_large_object_space', 'large_object_space', 'code_large_object_space']);

/** The old generation's used bytes on this (the program's) thread. */
function walkedHeapBytes(): number {
  let bytes = 0;
  for (const space of getHeapSpaceStatistics()) if (!UNWALKED_SPACES.has(space.space_name)) bytes += space.space_used_size;
  return bytes;
}
