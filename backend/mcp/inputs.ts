import { z } from 'zod';
import { Labels, MAX_PROBE_TTL_SECONDS, MetricType, ProbeId, ServiceName, SourcePosition } from '../protocol';

/**
 * Tool inputs, built from the protocol's own field schemas (so a tool cannot accept what the relay would
 * refuse) with descriptions written for a model choosing arguments.
 */
const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

export const Ttl = z
  .string()
  .regex(DURATION, 'a duration like 90s, 15m, 2h or 1d')
  .refine((t) => ttlSeconds(t) >= 1 && ttlSeconds(t) <= MAX_PROBE_TTL_SECONDS, `between 1s and ${MAX_PROBE_TTL_SECONDS / 86400}d`)
  .describe('How long the probe lives once approved, e.g. "15m" (default: the relay\'s). Keep it short: probes are for a question, not for monitoring.');

export function ttlSeconds(ttl: string): number {
  const m = DURATION.exec(ttl);
  return m ? Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS] : NaN;
}

const where = {
  service: ServiceName.describe('The service to probe, as list_services names it.'),
  labels: Labels.optional().describe('Only instances carrying all these labels, e.g. {"region":"eu"} (default: every instance of the service).'),
  file: SourcePosition.shape.file.describe(
    'Source file as in the repository, e.g. "src/validate.js" or "src/app.ts"; it is matched against the end of the running script\'s path, or of an original source through source maps.',
  ),
  line: SourcePosition.shape.line.describe('1-based line number, as shown in an editor. The probe runs before the code on this line.'),
  condition: z.string().min(1).max(2000).optional().describe('Read-only JavaScript expression over the variables in scope at the line; the probe fires only when it is truthy, e.g. "typeof amount === \'string\'".'),
  ttl: Ttl.optional(),
  maxHits: z.int().min(1).max(10_000_000).optional().describe('Stop after this many hits per instance.'),
  allowPending: z.boolean().optional().describe('Accept the probe even if the service has not connected to the relay yet (default false: an unknown service is an error).'),
};

export const ProposeLogpointInput = {
  ...where,
  message: z
    .string()
    .min(1)
    .max(4000)
    .describe('What to log on every hit: text with {expression} parts evaluated read-only at the line, e.g. "amount={amount} ({typeof amount})".'),
};

export const ProposeSnapshotInput = {
  ...where,
  watches: z.array(z.string().min(1).max(2000)).max(20).optional().describe('Extra read-only expressions to evaluate and capture, e.g. ["order.items.length"].'),
  maxHits: where.maxHits.describe('Snapshots to capture per instance (default 1).'),
};

export const ProposeMetricInput = {
  ...where,
  metric: MetricType.describe('"count": how often the line runs; "value": a summary (min/p50/p95/max/mean) of a numeric expression; "duration": milliseconds from the line to endLine, or to the enclosing function\'s return.'),
  expression: z.string().min(1).max(2000).optional().describe('For "value" only: the read-only numeric expression to summarise, e.g. "order.total".'),
  endLine: SourcePosition.shape.line.optional().describe('For "duration" only: where the timed stretch ends (after line).'),
};

export const ProbeIdInput = { probeId: ProbeId.describe('A probe id as returned by a propose_* tool or list_probes, e.g. "p-0a1b2c3d4e".') };

export const ListServicesInput = { service: ServiceName.optional().describe('Only this service.') };

export const ListProbesInput = {
  service: ServiceName.optional().describe('Only probes on this service.'),
  state: z.enum(['proposed', 'live']).optional().describe('Only proposals waiting for approval, or only live probes.'),
};

export const GetEvidenceInput = {
  probeId: ProbeId.optional().describe('Evidence of this probe (give a probeId or a service).'),
  service: ServiceName.optional().describe('Evidence of every probe on this service.'),
  since: z.int().min(0).optional().describe('Only items after this evidence id: pass the `next` cursor of the previous answer to read on. Items come oldest first.'),
  limit: z.int().min(1).max(200).default(30).describe('Most items to return (default 30, at most 200).'),
  maxChars: z.int().min(500).max(32_000).default(8000).describe('Longest answer in characters (default 8000); fewer items are returned to stay under it.'),
};

/** What the propose_* tools and get_proposal_status return besides their text, for programs. */
export const ProbeOutput = {
  probeId: ProbeId,
  state: z.enum(['proposed', 'live', 'rejected', 'removed', 'expired']),
};
