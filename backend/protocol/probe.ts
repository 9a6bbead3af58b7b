import { z } from 'zod';

/** Longest a probe may live; the relay's policy may lower it (never raise it). */
export const MAX_PROBE_TTL_SECONDS = 7 * 24 * 3600;

/** Probe ids are relay-assigned, short and URL-safe (`p-` + base36). */
export const ProbeId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'probe id must be 1-64 chars of [A-Za-z0-9_-]');

export const Labels = z.record(
  z.string().regex(/^[A-Za-z0-9_.\/-]{1,63}$/, 'label keys are 1-63 chars of [A-Za-z0-9_./-]'),
  z.string().max(256),
);

export const ServiceName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'service names are 1-128 chars of [A-Za-z0-9_.-], starting alphanumeric');

/** Which running instances a probe applies to: every instance of `service` whose labels include `labels`. */
export const Selector = z.object({
  service: ServiceName,
  labels: Labels.optional(),
  instances: z.array(z.string().min(1).max(128)).max(1000).optional(),
});

/** A source location as the user sees it (1-based line, as in editors). */
export const SourcePosition = z.object({
  file: z.string().min(1).max(1024),
  line: z.int().min(1).max(10_000_000),
});

const ProbeBase = z.object({
  id: ProbeId,
  selector: Selector,
  file: SourcePosition.shape.file,
  line: SourcePosition.shape.line,
  /** Read-only JS expression; the probe fires only when it is truthy. */
  condition: z.string().min(1).max(2000).optional(),
  /** Stop after this many hits per instance. */
  maxHits: z.int().min(1).max(10_000_000).optional(),
  /** Per-instance hit rate limit (smooth token bucket). */
  maxPerSecond: z.number().positive().max(1_000_000).optional(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  createdBy: z.string().max(256).optional(),
  /**
   * sha256 (hex) of the file's text as the editor had it. When the deployed file differs, the agent reports
   * `version_mismatch` instead of binding to what may be a different line.
   */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/, 'contentHash must be a sha256 in lowercase hex').optional(),
});

/** A logpoint: a `{expr}` template rendered on every hit, never pausing the program. */
export const LogProbeSpec = ProbeBase.extend({
  kind: z.literal('log'),
  template: z.string().min(1).max(4000),
  /** Also print the rendered line on the service's own stdout. */
  stdout: z.boolean().optional(),
});

/** What a snapshot captures by default; a probe may override each within SNAPSHOT_MAXIMA (the relay may lower them). */
export const SNAPSHOT_DEFAULTS = {
  /** Stack frames reported (function, file, line). */
  maxFrames: 20,
  /** Frames, from the top, whose locals are captured. */
  expandFrames: 5,
  /** Levels of objects below a local or watch (1: just the value). */
  depth: 3,
  /** Array/Map/Set items per collection. */
  collectionItems: 100,
  /** Properties per object. */
  fields: 20,
  /** Characters per string. */
  stringLength: 255,
  /** Serialised size of one snapshot (UTF-8 bytes); past it, values are left out and marked truncated. */
  maxBytes: 1_000_000,
} as const;
export const SNAPSHOT_MAXIMA = {
  maxFrames: 200,
  expandFrames: 20,
  depth: 10,
  collectionItems: 1000,
  fields: 200,
  stringLength: 65_536,
  // one snapshot must fit one evidence frame (MAX_FRAME_BYTES, 1 MiB) with its envelope
  maxBytes: 1_000_000,
} as const;
const limit = (key: keyof typeof SNAPSHOT_MAXIMA) => z.int().min(1).max(SNAPSHOT_MAXIMA[key]).optional();
export const SnapshotLimits = z.strictObject({
  maxFrames: limit('maxFrames'),
  expandFrames: limit('expandFrames'),
  depth: limit('depth'),
  collectionItems: limit('collectionItems'),
  fields: limit('fields'),
  stringLength: limit('stringLength'),
  maxBytes: z.int().min(1024).max(SNAPSHOT_MAXIMA.maxBytes).optional(),
});
export type SnapshotLimits = z.infer<typeof SnapshotLimits>;

/**
 * A snapshot: the call stack (in original source positions), the locals of the top frames and any watch
 * expressions, captured when the line runs (and the condition holds). maxHits defaults to 1.
 */
export const SnapshotProbeSpec = ProbeBase.extend({
  kind: z.literal('snapshot'),
  watches: z.array(z.string().min(1).max(2000)).max(20).optional(),
  limits: SnapshotLimits.optional(),
});

/** count: hits; value: a numeric expression's summary; duration: ms from `line` to `endLine` (or the enclosing function's return). */
export const MetricType = z.enum(['count', 'value', 'duration']);
export type MetricType = z.infer<typeof MetricType>;
const MetricFields = ProbeBase.extend({
  kind: z.literal('metric'),
  metric: MetricType,
  /** For `value`: the read-only expression whose numeric values are summarised. */
  expression: z.string().min(1).max(2000).optional(),
  /** For `duration`: where the timed stretch ends; without it, when the enclosing function returns. */
  endLine: SourcePosition.shape.line.optional(),
});
function checkMetric(m: { metric: MetricType; expression?: string; endLine?: number; line: number }, ctx: z.core.$RefinementCtx): void {
  if (m.metric === 'value' && m.expression === undefined) ctx.addIssue({ code: 'custom', path: ['expression'], message: "a 'value' metric needs an expression" });
  if (m.metric !== 'value' && m.expression !== undefined) ctx.addIssue({ code: 'custom', path: ['expression'], message: `a '${m.metric}' metric takes no expression` });
  if (m.metric !== 'duration' && m.endLine !== undefined) ctx.addIssue({ code: 'custom', path: ['endLine'], message: "only a 'duration' metric takes an endLine" });
  if (m.endLine !== undefined && m.endLine <= m.line) ctx.addIssue({ code: 'custom', path: ['endLine'], message: 'endLine must come after line' });
}
/** A metric: aggregated in the process, flushed as one evidence item per window. */
export const MetricProbeSpec = MetricFields.superRefine(checkMetric);

export const ProbeSpec = z.discriminatedUnion('kind', [LogProbeSpec, SnapshotProbeSpec, MetricProbeSpec]);
/** Every probe kind; grows with ProbeSpec (policies name kinds before an agent can run them). */
export const ProbeKind = z.enum(['log', 'snapshot', 'metric']);
export type ProbeKind = z.infer<typeof ProbeKind>;
export type ProbeSpec = z.infer<typeof ProbeSpec>;
export type Selector = z.infer<typeof Selector>;
export type Labels = z.infer<typeof Labels>;

/** What a client sends to create a probe: the relay assigns id, times and author. */
export const NewLogProbe = LogProbeSpec.omit({ id: true, createdAt: true, expiresAt: true, createdBy: true }).extend({
  ttlSeconds: z.int().min(1).max(MAX_PROBE_TTL_SECONDS).optional(),
});
const NewFields = { id: true, createdAt: true, expiresAt: true, createdBy: true } as const;
const Ttl = { ttlSeconds: z.int().min(1).max(MAX_PROBE_TTL_SECONDS).optional() };
export const NewSnapshotProbe = SnapshotProbeSpec.omit(NewFields).extend(Ttl);
export const NewMetricProbe = MetricFields.omit(NewFields).extend(Ttl).superRefine(checkMetric);
export const NewProbe = z.discriminatedUnion('kind', [NewLogProbe, NewSnapshotProbe, NewMetricProbe]);
export type NewProbe = z.infer<typeof NewProbe>;

export const ProbeState = z.enum(['pending', 'bound', 'error', 'expired', 'removed']);
export type ProbeState = z.infer<typeof ProbeState>;

/**
 * Why a probe is pending, in error, expired or disabled, for programs (ProbeStatus.reason says it for people).
 * not_loaded: no loaded script matches the file yet · line_out_of_range: past the end of the file ·
 * no_code: nothing to break on at that line · ambiguous: the file matches several loaded files ·
 * invalid_expression: a template/condition/watch/metric expression was rejected · version_mismatch: the deployed
 * file differs from the editor's (contentHash) · blocked: the file is on the blocklist · budget: over its CPU
 * or rate budget · max_hits: its hit limit ran out · ttl: its time ran out · placement_failed: V8 refused to place it.
 */
export const ProbeStatusCode = z.enum([
  'not_loaded',
  'line_out_of_range',
  'no_code',
  'ambiguous',
  'invalid_expression',
  'version_mismatch',
  'blocked',
  'budget',
  'max_hits',
  'ttl',
  'placement_failed',
]);
export type ProbeStatusCode = z.infer<typeof ProbeStatusCode>;

/** How one agent instance holds one probe. */
export const ProbeStatus = z.object({
  probeId: ProbeId,
  instanceId: z.string().min(1).max(128),
  state: ProbeState,
  /** A sentence a person understands: why pending, why error. */
  reason: z.string().max(2000).optional(),
  /** The same, for programs: what to do about it does not depend on the wording of `reason`. */
  code: ProbeStatusCode.optional(),
  /** Where the probe bound, in the running code (and in the original source, when bound through a source map). */
  location: z
    .object({
      url: z.string().max(4096),
      line: z.int().min(1),
      column: z.int().min(1).optional(),
      original: z.object({ file: z.string().max(4096), line: z.int().min(1) }).optional(),
    })
    .optional(),
  /** Which mechanism runs the probe. */
  tier: z.enum(['breakpoint', 'inject']).optional(),
  hits: z.int().min(0).optional(),
  at: z.iso.datetime(),
});
export type ProbeStatus = z.infer<typeof ProbeStatus>;

/**
 * Where a probe is in its life at the relay (ProbeState above is how one agent holds it). Only `live`
 * probes are sent to agents; `proposed` ones wait for a human to approve them.
 */
export const ProbeLifecycle = z.enum(['proposed', 'live', 'rejected', 'removed', 'expired']);
export type ProbeLifecycle = z.infer<typeof ProbeLifecycle>;

/** Who asked for a probe and, for proposals, who decided. */
export const Approval = z.object({
  origin: z.enum(['human', 'ai']),
  requestedBy: z.string().max(256),
  decision: z.enum(['approved', 'rejected', 'auto-approved']).optional(),
  /** A person's token name, or `policy` for an auto-approval. */
  decidedBy: z.string().max(256).optional(),
  decidedAt: z.iso.datetime().optional(),
  reason: z.string().max(2000).optional(),
  /** The TTL asked for: a proposal's clock starts when it is approved. */
  ttlSeconds: z.int().min(1).max(MAX_PROBE_TTL_SECONDS),
});
export type Approval = z.infer<typeof Approval>;
