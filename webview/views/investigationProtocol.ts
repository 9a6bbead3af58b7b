/**
 * The Investigation tab's part of the panel protocol: plain data the host sends (the whole view, throttled) and
 * the actions the tab sends back. Imported by webview/protocol.ts (both sides) and by the host's view model.
 */

export type InvestigationStatus = 'idle' | 'running' | 'confirmed' | 'undetermined' | 'failed' | 'stopped';

export interface ScoreFactorRow {
  part: 'prior' | 'evidence';
  label: string;
  value: number;
  weight: number;
  points: number;
  reason: string;
}

export interface HypothesisRow {
  id: string;
  rank: number;
  claim: string;
  /** Short sha of the suspect commit, when it names one. */
  commit?: string;
  verdict: 'confirmed' | 'refuted' | 'open';
  verdictReason: string;
  /** 0..1: its part of the total. */
  share: number;
  logit: number;
  priorPoints: number;
  evidencePoints: number;
  factors: ScoreFactorRow[];
}

export interface ProposalRow {
  probeId: string;
  /** `src/validation.ts:42` */
  location: string;
  file: string;
  line: number;
  kind: string;
  /** What it captures (each with its runtime type). */
  captures: string[];
  /** Exactly what the probe evaluates on each hit (the logpoint's template). */
  expression: string;
  summary: string;
  reason: string;
  risk: { low: boolean; concerns: string[] };
  state: 'proposed' | 'live' | 'rejected' | 'ended' | 'failed' | 'planned';
  decidedBy?: string;
}

export interface EvidenceSiteRow {
  probeId: string;
  location: string;
  file: string;
  line: number;
  observations: number;
  /** The latest captured values, `name = value (type)`. */
  latest: string[];
  /** `type-mismatch in order.notional > HIGH_VALUE_THRESHOLD: … (12 of 12)` */
  anomalies: string[];
}

export interface InvestigationView {
  status: InvestigationStatus;
  question: string;
  service?: string;
  repo?: string;
  /** 'builtin' (no model) or the chat model's name. */
  investigator: string;
  error?: string;
  /** The signed-in token may approve and reject (operator or admin). */
  canDecide: boolean;
  /** What the start form offers. */
  defaults: { question: string; services: string[]; service: string; repo: string };
  context?: { deployed: string; previous?: string; window: string; searched: string[] };
  hypotheses: HypothesisRow[];
  proposals: ProposalRow[];
  evidence: EvidenceSiteRow[];
  /** The step log, oldest first. */
  steps: string[];
  /** The evolving (then final) RCA report, Markdown. */
  report: string;
  culprit?: string;
  /** Where the report was last saved. */
  savedTo?: string;
}

export type InvestigationAction =
  | { kind: 'start'; question: string; service: string }
  | { kind: 'approve'; probeId: string }
  | { kind: 'reject'; probeId: string }
  | { kind: 'approveLowRisk' }
  | { kind: 'stop' }
  | { kind: 'save' }
  | { kind: 'reveal'; file: string; line: number };

const PROBE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const str = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;

/** Validates an action from the webview (untrusted input). */
export function parseInvestigationAction(value: unknown): InvestigationAction | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const a = value as Record<string, unknown>;
  switch (a.kind) {
    case 'start':
      return str(a.question, 2000) && a.question.trim() && str(a.service, 200) ? { kind: 'start', question: a.question.trim(), service: a.service } : undefined;
    case 'approve':
    case 'reject':
      return typeof a.probeId === 'string' && PROBE_ID.test(a.probeId) ? { kind: a.kind, probeId: a.probeId } : undefined;
    case 'approveLowRisk':
    case 'stop':
    case 'save':
      return { kind: a.kind };
    case 'reveal':
      return str(a.file, 1000) && a.file && Number.isInteger(a.line) && (a.line as number) >= 1 ? { kind: 'reveal', file: a.file, line: a.line as number } : undefined;
    default:
      return undefined;
  }
}
