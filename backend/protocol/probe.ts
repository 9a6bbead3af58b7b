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
});

/** A logpoint: a `{expr}` template rendered on every hit, never pausing the program. */
export const LogProbeSpec = ProbeBase.extend({
  kind: z.literal('log'),
  template: z.string().min(1).max(4000),
  /** Also print the rendered line on the service's own stdout. */
  stdout: z.boolean().optional(),
});

export const ProbeSpec = z.discriminatedUnion('kind', [LogProbeSpec]);
/** Every probe kind; grows with ProbeSpec (policies name kinds before an agent can run them). */
export const ProbeKind = z.enum(['log']);
export type ProbeKind = z.infer<typeof ProbeKind>;
export type ProbeSpec = z.infer<typeof ProbeSpec>;
export type Selector = z.infer<typeof Selector>;
export type Labels = z.infer<typeof Labels>;

/** What a client sends to create a probe: the relay assigns id, times and author. */
export const NewLogProbe = LogProbeSpec.omit({ id: true, createdAt: true, expiresAt: true, createdBy: true }).extend({
  ttlSeconds: z.int().min(1).max(MAX_PROBE_TTL_SECONDS).optional(),
});
export const NewProbe = z.discriminatedUnion('kind', [NewLogProbe]);
export type NewProbe = z.infer<typeof NewProbe>;

export const ProbeState = z.enum(['pending', 'bound', 'error', 'expired', 'removed']);
export type ProbeState = z.infer<typeof ProbeState>;

/** How one agent instance holds one probe. */
export const ProbeStatus = z.object({
  probeId: ProbeId,
  instanceId: z.string().min(1).max(128),
  state: ProbeState,
  /** A sentence a person understands: why pending, why error. */
  reason: z.string().max(2000).optional(),
  /** Where the probe bound, in the running code. */
  location: z.object({ url: z.string().max(4096), line: z.int().min(1), column: z.int().min(1).optional() }).optional(),
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
