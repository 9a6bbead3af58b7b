import { describeIssues, NewProbe, type Selector } from '../../backend/protocol';
import type { ProbeLimits } from './limits';

/** What every kind of probe takes from the editor: where, on which instances, when, for how long. */
export interface ProbeInputCommon {
  selector: Selector;
  file: string;
  /** 1-based, as the protocol counts. */
  line: number;
  condition?: string;
  limits: ProbeLimits;
  /** sha256 (hex) of the editor's text: the agent refuses to bind when the deployed file differs. */
  contentHash?: string;
}

/** The fields shared by every `probe.add` payload, with optional ones left out rather than sent empty. */
export function commonFields(input: ProbeInputCommon) {
  const condition = input.condition?.trim();
  return {
    selector: input.selector,
    file: input.file,
    line: input.line,
    ttlSeconds: input.limits.ttlSeconds,
    ...(condition ? { condition } : {}),
    ...(input.limits.maxHits ? { maxHits: input.limits.maxHits } : {}),
    ...(input.contentHash ? { contentHash: input.contentHash } : {}),
  };
}

export type ProbeCheck = { ok: true; probe: NewProbe } | { ok: false; problem: string };

/** The protocol's own schema decides (the relay parses the same one): one sentence naming each bad field. */
export function validateNewProbe(probe: NewProbe): ProbeCheck {
  const parsed = NewProbe.safeParse(probe);
  return parsed.success ? { ok: true, probe: parsed.data } : { ok: false, problem: describeIssues(parsed.error) };
}

/** Why a duration metric's end line (1-based text) would be refused; undefined when empty (function return) or acceptable. */
export function endLineProblem(text: string, line: number, lineCount: number): string | undefined {
  if (!text.trim()) return undefined;
  if (!/^\d+$/.test(text.trim())) return 'A line number, e.g. 20 (or empty for the function’s return)';
  const n = Number(text.trim());
  if (n <= line) return `The end line must come after line ${line}`;
  if (n > lineCount) return `The file has ${lineCount} lines`;
  return undefined;
}
