import { z } from 'zod';
import { ProbeLifecycle, ProbeStatusCode, ServiceName } from '../../../backend/protocol/probe';

// A branch review's data, defined once: the CLI's --json, the Markdown, the VS Code view and an MCP tool
// all read these shapes. Every list is sorted, so the same evidence always gives the same report.

export const Sha = z.string().regex(/^[0-9a-f]{7,64}$/, 'a commit sha (7-64 lowercase hex digits)');

/** How a hunk was placed on the deployed code. */
export const HunkMapping = z.enum([
  /** It changes or deletes deployed lines: probes go on those lines (the hunk's old side). */
  'old-side',
  /** It only adds code: probes go on the nearest deployed statement at the insertion point. */
  'nearest-statement',
  /** Nothing deployed to probe (a new file, or no executable statement nearby). */
  'none',
]);
export type HunkMapping = z.infer<typeof HunkMapping>;

/** One line counter: how often a deployed line ran in the window. */
export const LineCounter = z.object({
  line: z.int().min(1),
  /** `anchor`: where the change sits; `deleted`: a line the PR removes; `deleted-body`: the first line inside a block the PR removes. */
  role: z.enum(['anchor', 'deleted', 'deleted-body']),
  probeId: z.string().optional(),
  /** Hits counted in the metric windows received. */
  hits: z.int().min(0),
  /** Milliseconds those windows covered (summed over instances). */
  coveredMs: z.number().min(0),
  /** hits per minute per instance-minute covered; undefined when no window arrived. */
  perMinute: z.number().min(0).optional(),
  state: ProbeLifecycle.or(z.literal('not-placed')),
  /** Why there is no number: rejected, not placed, the agent's reason. */
  problem: z.string().max(2000).optional(),
  problemCode: ProbeStatusCode.optional(),
});
export type LineCounter = z.infer<typeof LineCounter>;

/** What the changed code assumes about a value it reads, and why we think so. */
export const Assumption = z.object({
  expects: z.enum(['number', 'present']),
  /** The code that makes the assumption, e.g. `amount * 1.1`. */
  because: z.string().max(500),
  /** New-side line of that code. */
  line: z.int().min(1),
});
export type Assumption = z.infer<typeof Assumption>;

/** The values one expression took at the deployed line, as sampled by the capture logpoint. */
export const ObservedValue = z.object({
  expression: z.string().min(1).max(500),
  assumptions: z.array(Assumption),
  samples: z.int().min(0),
  /** Samples per runtime type (`number`, `string`, `undefined`, `null`, `object`, `NaN`, `unavailable`). */
  types: z.record(z.string(), z.int().min(0)),
  /** Over the numeric samples (numbers and numeric strings are reported separately). */
  numeric: z.object({ min: z.number(), max: z.number() }).optional(),
  /** Up to three distinct rendered values per type, sorted. */
  examples: z.record(z.string(), z.array(z.string().max(200)).max(3)),
});
export type ObservedValue = z.infer<typeof ObservedValue>;

export const FindingKind = z.enum([
  /** The change uses a value as a number; production sees other types. */
  'type-contradiction',
  /** The change reads a value (or a field through it) as present; production sees undefined/null. */
  'missing-value',
  /** Lines the PR deletes still run. */
  'deleted-code-runs',
  /** The expression could not be evaluated at the deployed line in some hits (it threw: e.g. a field of undefined). */
  'evaluation-failed',
  /** Calls through the changed code already leave its function by throwing in production. */
  'exceptions',
]);
export type FindingKind = z.infer<typeof FindingKind>;

export const Finding = z.object({
  kind: FindingKind,
  severity: z.enum(['warning', 'info']),
  /** One sentence to paste into a PR. */
  message: z.string().max(2000),
  expression: z.string().max(500).optional(),
  line: z.int().min(1).optional(),
  /** Matching samples / all samples (for value findings), or hits (for deleted code). */
  count: z.int().min(0),
  total: z.int().min(0),
  share: z.number().min(0).max(1).optional(),
  perMinute: z.number().min(0).optional(),
});
export type Finding = z.infer<typeof Finding>;

/** Calls through the hunk that left its function by throwing: anchor hits that never reached a return. */
export const Exceptions = z.object({
  function: z.string().optional(),
  /** The deployed line calls were counted and timed from (one per function: hunks in it share the figure). */
  line: z.int().min(1),
  /** Calls counted at the anchor, over the windows both probes covered. */
  calls: z.int().min(0),
  thrown: z.int().min(0),
  perMinute: z.number().min(0),
});
export type Exceptions = z.infer<typeof Exceptions>;

export const ReviewHunk = z.object({
  /** `path#n`: the n-th reviewed hunk of the file (1-based), stable for the same diff. */
  id: z.string(),
  /** Path in the head revision. */
  file: z.string(),
  /** Path in the deployed revision (differs for renames; absent for new files). */
  deployedFile: z.string().optional(),
  header: z.string(),
  oldStart: z.int().min(0),
  oldLines: z.int().min(0),
  newStart: z.int().min(0),
  newLines: z.int().min(0),
  change: z.enum(['modified', 'added', 'deleted']),
  mapping: HunkMapping,
  /** Deployed line the probes sit on (the first changed statement, or the nearest one). */
  anchorLine: z.int().min(1).optional(),
  /** Deployed lines the hunk covers (old side), or the anchor for pure additions. */
  deployedLines: z.object({ start: z.int().min(1), end: z.int().min(1) }).optional(),
  /** The enclosing function on the deployed side, when known. */
  function: z.string().optional(),
  added: z.array(z.object({ line: z.int().min(1), text: z.string() })),
  removed: z.array(z.object({ line: z.int().min(1), text: z.string() })),
  counters: z.array(LineCounter),
  values: z.array(ObservedValue),
  /** Absent when not measured (the anchor is not in a function, or the timer could not be placed). */
  exceptions: Exceptions.optional(),
  /** Hits per minute of the hunk: its busiest counter (undefined: nothing measured). */
  perMinute: z.number().min(0).optional(),
  findings: z.array(Finding),
  notes: z.array(z.string()),
});
export type ReviewHunk = z.infer<typeof ReviewHunk>;

export const ReviewReport = z.object({
  version: z.literal(1),
  service: ServiceName,
  /** What the base was asked as (`deployed` or a ref) and the commit it resolved to. */
  baseRef: z.string(),
  base: Sha,
  headRef: z.string(),
  head: Sha,
  instances: z.array(z.object({ id: z.string(), commit: z.string().optional() })),
  window: z.object({ start: z.iso.datetime(), end: z.iso.datetime(), seconds: z.number().min(0) }),
  hunks: z.array(ReviewHunk),
  summary: z.object({ hunks: z.int().min(0), observed: z.int().min(0), warnings: z.int().min(0), probes: z.int().min(0) }),
  notes: z.array(z.string()),
});
export type ReviewReport = z.infer<typeof ReviewReport>;
