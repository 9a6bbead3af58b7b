import { z } from 'zod';
import { SourcePosition } from '../../../backend/protocol/probe';

// The investigation's data, defined once: hypotheses, evidence plans, observations and scores are all plain,
// validated, serialisable values, so the built-in investigator, a model's tool calls, the CLI's --json and the
// report all speak the same shapes.

export const Sha = z.string().regex(/^[0-9a-f]{7,64}$/, 'a commit sha (7-64 lowercase hex digits)');

/** A repository-relative path (forward slashes) and a 1-based line: the protocol's own source position. */
export const SourceLocation = SourcePosition;
export type SourceLocation = z.infer<typeof SourceLocation>;

export const SuspectLocation = SourceLocation.extend({ reason: z.string().max(500).default('') });
export type SuspectLocation = z.infer<typeof SuspectLocation>;

/** What the anomaly detectors can recognise in captured values. */
export const AnomalyKind = z.enum([
  /** A value's runtime type differs from what the code compares or combines it with (a string reaching `>` against a number). */
  'type-mismatch',
  /** NaN reaching arithmetic or a comparison. */
  'nan',
  /** undefined (or null) reaching arithmetic or a comparison. */
  'undefined',
  /** Numeric-looking strings compared with each other (`'9' > '10'` is true). */
  'lexicographic',
  /** A string such as 'false' or '0' tested for truthiness (it is truthy). */
  'string-boolean',
  /** An exception path ran (a catch block, an expression that threw). */
  'exception',
  /** A comparison that always (or never) holds while its inputs vary: a branch that never or always fires. */
  'constant-branch',
]);
export type AnomalyKind = z.infer<typeof AnomalyKind>;

/** The runtime observation that would confirm (or, by its absence, refute) a hypothesis. */
export const Prediction = z.object({
  description: z.string().min(1).max(1000),
  /** Anomaly kinds that count as the predicted observation. */
  anomalies: z.array(AnomalyKind).min(1).default([...AnomalyKind.options]),
  /** Identifiers the anomaly should involve (leaf names such as `amount`); empty: any. */
  identifiers: z.array(z.string().min(1).max(200)).max(50).default([]),
  /** The suspect lines must run under the incident's traffic. */
  executes: z.boolean().default(true),
});
export type Prediction = z.infer<typeof Prediction>;

export const HypothesisId = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'hypothesis ids are 1-32 chars of [A-Za-z0-9_-]');

export const Hypothesis = z.object({
  id: HypothesisId,
  /** One sentence a person can check. */
  claim: z.string().min(1).max(1000),
  /** `change`: a commit in the window caused it; `external`: nothing in the code window explains it (data, config, a dependency). */
  kind: z.enum(['change', 'external']).default('change'),
  suspectCommits: z.array(Sha).max(10).default([]),
  suspectLocations: z.array(SuspectLocation).max(50).default([]),
  prediction: Prediction,
  /** Who proposed it: the built-in heuristics or a model (the score is ours either way). */
  origin: z.enum(['builtin', 'model']).default('builtin'),
});
export type Hypothesis = z.infer<typeof Hypothesis>;
export type HypothesisInput = z.input<typeof Hypothesis>;

/** One value to capture at a probe: a label and the read-only expression that yields it. */
export const CaptureValue = z.object({ name: z.string().min(1).max(300), expr: z.string().min(1).max(300) });
export type CaptureValue = z.infer<typeof CaptureValue>;

export const PlannedOperation = z.object({ op: z.string().max(4), left: z.string().max(300).optional(), right: z.string().max(300).optional() });

/**
 * A probe the plan wants, independent of probe kind: where, what to capture and why. Encoders turn it into
 * a logpoint (typed template) or a snapshot (watches) — whichever the relay and agents support.
 */
export const PlannedProbe = SourceLocation.extend({
  /** symptom: where the question's behaviour is decided; change: a suspect commit's line; written: just after one, to read what it wrote. */
  role: z.enum(['symptom', 'change', 'written']),
  hypothesisIds: z.array(HypothesisId).max(50),
  reason: z.string().max(1000),
  values: z.array(CaptureValue).min(1).max(12),
  comparisons: z.array(PlannedOperation).max(8).default([]),
  arithmetic: z.array(PlannedOperation).max(8).default([]),
  truthTests: z.array(z.string().max(300)).max(8).default([]),
  catchParam: z.string().max(100).optional(),
  /** The line is at module top level (runs once at load; a probe there sees nothing later). */
  topLevel: z.boolean().default(false),
  /** Leaf names the line writes (variables and object keys): a value read here may be what they become. */
  writes: z.array(z.string().max(200)).max(50).default([]),
  /** Data flow one step back: for a local a value here was computed into, the names that computation read (`rate` ← `taxRate`). */
  upstream: z.record(z.string(), z.array(z.string())).default({}),
});
export type PlannedProbe = z.infer<typeof PlannedProbe>;
export type PlannedProbeInput = z.input<typeof PlannedProbe>;

/** A captured value as the detectors see it, whatever probe kind produced it. */
export const TypedValue = z.object({
  /** `typeof`, refined: 'null', 'NaN', or a class name for objects when the probe kind knows it. */
  type: z.string().max(200),
  /** The value as text (strings raw). */
  text: z.string(),
  /** The expression could not be read here (not in scope, threw). */
  unavailable: z.boolean().optional(),
});
export type TypedValue = z.infer<typeof TypedValue>;

export const Observation = z.object({
  probeId: z.string(),
  evidenceId: z.int().optional(),
  at: z.string(),
  instance: z.string(),
  values: z.record(z.string(), TypedValue),
  /** The stack when the probe kind captures one (snapshots): `function file:line`, top first. */
  stack: z.array(z.object({ function: z.string(), file: z.string(), line: z.int() })).optional(),
});
export type Observation = z.infer<typeof Observation>;

export const Anomaly = SourceLocation.extend({
  kind: AnomalyKind,
  probeId: z.string(),
  /** The expression it was seen in, e.g. `amount > HIGH_VALUE_THRESHOLD`. */
  expression: z.string(),
  /** Leaf identifiers involved (`amount`), for linking to the commits that write them. */
  identifiers: z.array(z.string()),
  /** The offending runtime type of those identifiers (`string`, `NaN`, `undefined`), when there is one. */
  valueType: z.string().optional(),
  /** Names the identifiers were computed from, one step back in the same function (from the plan's data flow). */
  upstream: z.array(z.string()).default([]),
  detail: z.string(),
  /** Observations showing it, out of `total` at the site. */
  count: z.int().min(0),
  total: z.int().min(0),
  /** A few captured values that show it, e.g. `amount = "15,000" (string)`. */
  examples: z.array(z.string()).max(5),
  /** Store ids of evidence items that show it (for linking to stored evidence). */
  evidenceIds: z.array(z.int()).max(10).default([]),
});
export type Anomaly = z.infer<typeof Anomaly>;

/** One term of a score: `points = value × weight`, with the reason a person reads. */
export const ScoreItem = z.object({
  factor: z.string(),
  label: z.string(),
  value: z.number(),
  weight: z.number(),
  points: z.number(),
  reason: z.string(),
});
export type ScoreItem = z.infer<typeof ScoreItem>;

export const Verdict = z.enum(['confirmed', 'refuted', 'open']);
export type Verdict = z.infer<typeof Verdict>;

export const Score = z.object({
  hypothesisId: HypothesisId,
  prior: z.array(ScoreItem),
  evidence: z.array(ScoreItem),
  priorPoints: z.number(),
  evidencePoints: z.number(),
  /** priorPoints + evidencePoints: log-odds. */
  logit: z.number(),
  /** sigmoid(logit): how plausible on its own. */
  probability: z.number(),
  /** Its part of the total (softmax over the hypotheses): how it compares with the others. */
  share: z.number(),
  rank: z.int().min(1),
  verdict: Verdict,
  verdictReason: z.string(),
});
export type Score = z.infer<typeof Score>;
