import type { MessagePort } from 'node:worker_threads';
import type { MetricType } from '../backend/protocol/probe';
import type { AgentConfig } from './config';
import type { BudgetEvent } from './hook/cpuBudget';
import type { MetricWindow } from './metrics/aggregator';
import type { RedactionConfig } from './redact/rules';

/**
 * The messages between the host (main) thread and the agent's worker thread. Both sides import these types,
 * so a message cannot drift between sender and receiver.
 */

export interface AgentWorkerData {
  config: AgentConfig;
  /** Facts only the main thread knows reliably. */
  host: { startedAt: string; cwd: string };
  /** Worker end of the hit channel (see HitHook). */
  hitPort: MessagePort;
  /** ExitGuard's shared state word. */
  sessionState: Int32Array;
}

/** Control, main → worker (over parentPort). See exitGuard for the session-closing handshake. */
export type HostToWorker = { type: 'stop' } | { type: 'exit' } | { type: 'sessionClosedAck' };

/** Lifecycle, worker → main (over parentPort). */
export type WorkerToHost =
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
}

/** Probe table updates and requests, worker → main (over the hit channel). */
export type WorkerToHook =
  | { type: 'arm'; probe: ArmedProbe }
  | { type: 'disarm'; probeId: string }
  /** Rules for withholding values before they leave the process (the default denylist always applies). */
  | { type: 'redaction'; config: RedactionConfig }
  /** Send the metric windows aggregated since the last flush. */
  | { type: 'flushMetrics' };

/** Aggregated metric windows, main → worker (over the hit channel), answering flushMetrics. */
export interface MetricBatch {
  type: 'metrics';
  windows: MetricWindow[];
}

/** Everything the hook sends to the worker. */
export type HookToWorker = HitBatch | MetricBatch;

export interface Hit {
  probeId: string;
  /** Epoch ms on the main thread when the line ran. */
  at: number;
  message: string;
}

/** Rendered hits, main → worker (over the hit channel); `dropped` counts hits lost to the main-side buffer. */
export interface HitBatch {
  type: 'hits';
  hits: Hit[];
  dropped: number;
  /** Probes the CPU budget paused, resumed or disabled since the last batch. */
  budget?: BudgetEvent[];
}
