import type { MessagePort } from 'node:worker_threads';
import type { CapturedValue } from '../backend/protocol/evidence';
import type { MetricType } from '../backend/protocol/probe';
import type { BudgetEvent } from './hook/cpuBudget';
import type { MetricWindow } from './metrics/aggregator';
import type { RedactionConfig } from './redact/rules';
import type { Limits } from './snapshot/limits';
import type { RawFrame } from './snapshot/inlineStack';

/**
 * The messages between the host (main) thread and the agent's worker thread. Both sides import these types,
 * so a message cannot drift between sender and receiver.
 */

/**
 * What the worker starts from: the caller's options or the RUNTRUTH_* variables, validated there (see config), and
 * the instance id the main thread already handed back to the caller.
 */
export type AgentStart = { instanceId: string } & ({ options: unknown } | { env: Record<string, string> });

export interface AgentWorkerData {
  start: AgentStart;
  /** Facts only the main thread knows reliably. */
  host: { startedAt: string; cwd: string };
  /** Worker end of the hit channel (see HitHook). */
  hitPort: MessagePort;
  /** The ring rendered hits come through (see hook/hitRing). */
  hitRing: SharedArrayBuffer;
  /** ExitGuard's shared state word. */
  sessionState: Int32Array;
}

/** Control, main → worker (over parentPort). See exitGuard for the session-closing handshake. */
export type HostToWorker = { type: 'stop' } | { type: 'exit' } | { type: 'sessionClosedAck' };

/** Lifecycle, worker → main (over parentPort). */
export type WorkerToHost =
  /** The options are valid: from here the worker must not keep the process alive (see WorkerHost). */
  | { type: 'configured' }
  | { type: 'welcomed' }
  /** The relay refused us for good (bad key, protocol): the agent has shut itself down. */
  | { type: 'refused'; message: string }
  /** The first connection attempt failed; the agent keeps retrying. */
  | { type: 'unreachable'; message: string }
  /** The agent could not start at all (e.g. no inspector in this build); it has shut itself down. */
  | { type: 'failed'; message: string }
  /** The worker disconnected its session; it waits for sessionClosedAck before it ends. */
  | { type: 'sessionClosed' };

/** What the main-thread hook needs to render and limit one probe's hits. */
export interface ArmedProbe {
  probeId: string;
  /** Literal template text around the expressions: parts.length === expressions + 1. */
  parts: string[];
  maxPerSecond: number;
  maxHits?: number;
  stdout: boolean;
  /** Per expression: withhold its value whatever it is (the expression is named like a secret). */
  redact?: boolean[];
  /**
   * What a hit means. Absent: a logpoint (render the message). `gate`: a snapshot's pause gate (admit counts the
   * hit; nothing is rendered). `metric`: aggregate in place (see agent/metrics) and flush on request.
   */
  role?: 'gate' | 'metric';
  metric?: MetricType;
  /** A snapshot's limits and watch expressions, for the injected tier (the hook serialises its captures). */
  snapshot?: { limits: Limits; watches: string[] };
}

/** An injected snapshot as the hook captured it: values serialised, stack still in generated positions. */
export interface InlineSnapshot {
  probeId: string;
  /** Epoch ms on the main thread. */
  at: number;
  stack: RawFrame[];
  locals: CapturedValue[];
  watches: Array<{ expression: string; value?: CapturedValue; error?: string }>;
  truncated: boolean;
  /** Main-thread time the capture took (admit to serialised), ms. */
  pauseMs: number;
  /** The probe's byte limit (the worker fits the finished item to it). */
  maxBytes: number;
}

/** Probe table updates and requests, worker → main (over the hit channel). */
export type WorkerToHook =
  | { type: 'arm'; probe: ArmedProbe }
  | { type: 'disarm'; probeId: string }
  /** The probe is in the program in this tier (what its executions cost, see hook/cpuBudget). */
  | { type: 'placed'; probeId: string; tier: 'inject' | 'breakpoint' }
  /** Rules for withholding values before they leave the process (the default denylist always applies). */
  | { type: 'redaction'; config: RedactionConfig }
  /** Send the metric windows aggregated since the last flush. */
  | { type: 'flushMetrics' }
  /** The configured CPU budget (validated in the worker; sent before any probe is armed). */
  | { type: 'cpuBudget'; share: number }
  /** The worker's time spent on each probe's hits since the last report (ms): charged to the same CPU budget. */
  | { type: 'workerCost'; costs: Array<[probeId: string, ms: number]> }
  /** How much heap a live edit would walk now (answered by HeapSize). */
  | { type: 'heapSize' };

/** Aggregated metric windows, main → worker (over the hit channel), answering flushMetrics. */
export interface MetricBatch {
  type: 'metrics';
  windows: MetricWindow[];
}

/** The hook has a probe in its table (answers arm): only then may its code go into the program. */
export interface ArmedAck {
  type: 'armed';
  probeId: string;
}

/**
 * The program's heap as a live edit walks it (answers heapSize): the used size of the old generation's spaces. The
 * young generation is left out (mostly garbage, which the walk skips, yet it counts in V8's used size) and so are
 * the large-object spaces (few objects however many bytes; the walk's cost is per object).
 */
export interface HeapSize {
  type: 'heapSize';
  bytes: number;
}

/** Everything the hook sends to the worker. */
export type HookToWorker = HookBatch | MetricBatch | ArmedAck | HeapSize;

export interface Hit {
  probeId: string;
  /** Epoch ms on the main thread when the line ran. */
  at: number;
  message: string;
}

/**
 * Main → worker over the hit channel: budget events and injected snapshots (rendered hits come through the hit ring,
 * hook/hitRing); `dropped` counts snapshots lost to the main-side buffer.
 */
export interface HookBatch {
  type: 'batch';
  dropped: number;
  /** Probes the CPU budget paused, resumed or disabled since the last batch. */
  budget?: BudgetEvent[];
  /** Injected snapshots taken since the last batch. */
  snapshots?: InlineSnapshot[];
}
