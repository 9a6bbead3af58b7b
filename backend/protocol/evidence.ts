import { z } from 'zod';
import { MetricType, ProbeId } from './probe';

/** Evidence as the agent sends it; the relay adds who sent it and a store id. */
export const AgentLogEvidence = z.object({
  kind: z.literal('log'),
  probeId: ProbeId,
  at: z.iso.datetime(),
  message: z.string().max(64 * 1024),
});

/**
 * One captured value, as a compact typed tree. `type` is the JS type, or the class for objects (`Array`, `Map`,
 * `Order`); primitives carry `value` (strings clipped to the snapshot's stringLength, and `truncated`), objects a
 * one-line `preview` and, down to the snapshot's depth, `children` (named). `redacted`: the value was withheld by
 * the agent's redaction rules. `accessor`: a getter/setter property, which capture never invokes.
 */
export const CapturedValue = z.object({
  name: z.string().max(1024).optional(),
  type: z.string().max(256),
  value: z.union([z.string().max(70_000), z.number(), z.boolean(), z.null()]).optional(),
  preview: z.string().max(2048).optional(),
  get children() {
    return z.array(CapturedValue).max(1000).optional();
  },
  /** Some children, or characters, were left out by the limits. */
  truncated: z.boolean().optional(),
  redacted: z.boolean().optional(),
  accessor: z.boolean().optional(),
});
export type CapturedValue = z.infer<typeof CapturedValue>;

/** A stack frame in original source positions (through source maps when the script has one). */
export const SnapshotFrame = z.object({
  function: z.string().max(1024),
  file: z.string().max(4096),
  line: z.int().min(1),
  column: z.int().min(1).optional(),
  /** Locals of this frame (only the top frames are expanded). */
  locals: z.array(CapturedValue).max(1000).optional(),
});
export type SnapshotFrame = z.infer<typeof SnapshotFrame>;

export const WatchResult = z.object({
  expression: z.string().max(2000),
  value: CapturedValue.optional(),
  /** Why there is no value: the expression threw, had a side effect, or ran out of time. */
  error: z.string().max(2000).optional(),
});

export const AgentSnapshotEvidence = z.object({
  kind: z.literal('snapshot'),
  probeId: ProbeId,
  at: z.iso.datetime(),
  frames: z.array(SnapshotFrame).max(200),
  watches: z.array(WatchResult).max(20).optional(),
  /** The snapshot reached its size limit: some values were left out (each marked truncated). */
  truncated: z.boolean().optional(),
  /** How long the program was paused for this capture, as the agent measured it. */
  pauseMs: z.number().min(0).optional(),
});

/** One flush window of a metric. For value and duration (ms) metrics, the summary is over `sampled` values. */
export const AgentMetricEvidence = z.object({
  kind: z.literal('metric'),
  probeId: ProbeId,
  /** The end of the window. */
  at: z.iso.datetime(),
  metric: MetricType,
  window: z.object({ start: z.iso.datetime(), end: z.iso.datetime() }),
  /** Hits in the window (for duration: completed start→end stretches). */
  count: z.int().min(0),
  /** Values the summary is computed from, when fewer than `count` (rate-limited or non-numeric values). */
  sampled: z.int().min(0).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  mean: z.number().optional(),
  p50: z.number().optional(),
  p95: z.number().optional(),
  p99: z.number().optional(),
  unit: z.literal('ms').optional(),
});

export const AgentEvidence = z.discriminatedUnion('kind', [AgentLogEvidence, AgentSnapshotEvidence, AgentMetricEvidence]);
export type AgentEvidence = z.infer<typeof AgentEvidence>;

const Provenance = z.object({
  /** Monotonic store id: clients resume a stream with `afterId`. */
  id: z.int().min(1),
  service: z.string(),
  instance: z.string(),
});

export const LogEvidence = AgentLogEvidence.extend(Provenance.shape);
export const SnapshotEvidence = AgentSnapshotEvidence.extend(Provenance.shape);
export const MetricEvidence = AgentMetricEvidence.extend(Provenance.shape);
/** A gap marker: `count` events were dropped (by the agent or a slow client's queue) before this point. */
export const GapEvidence = z.object({
  kind: z.literal('gap'),
  /** Store id, when the relay stored the marker (agent and retention gaps); queue gaps are never stored. */
  id: z.int().min(1).optional(),
  at: z.iso.datetime(),
  count: z.int().min(1),
  where: z.enum(['agent', 'relay', 'client-queue']),
  probeId: ProbeId.optional(),
  service: z.string().optional(),
  instance: z.string().optional(),
});
export const Evidence = z.discriminatedUnion('kind', [LogEvidence, SnapshotEvidence, MetricEvidence, GapEvidence]);
export type Evidence = z.infer<typeof Evidence>;
export type LogEvidence = z.infer<typeof LogEvidence>;
export type SnapshotEvidence = z.infer<typeof SnapshotEvidence>;
export type MetricEvidence = z.infer<typeof MetricEvidence>;
