import type { NewProbe, ProbeView } from '../../../backend/protocol';
import { conditionProblem, templateProblem } from '../templateCheck';
import type { RelayLike } from './runtime';
import type { PlannedProbe } from './schema';

/** What a person is asked to approve: the probe as sent, why the assistant wants it, and its risk. */
export interface Proposal {
  view: ProbeView;
  plan: PlannedProbe;
  /** `src/validate.js:12 — log amount (with its type), HIGH_VALUE_THRESHOLD, amount > HIGH_VALUE_THRESHOLD; ≤200 hits, ≤20/s, 15 min`. */
  summary: string;
  risk: Risk;
}

export interface Risk {
  low: boolean;
  /** Why it is not low risk (empty when it is). */
  concerns: string[];
}

/** Ceilings under which a read-only probe is "low risk" for `--approve-low-risk`. */
export const LOW_RISK = { maxHits: 500, maxPerSecond: 50, ttlSeconds: 3600, snapshotMaxHits: 50 } as const;
// names that hold secrets or personal data (a card *brand* is fine; a card *number* is not)
const SENSITIVE = /pass(word|wd)?|secret|token|api[_-]?key|credential|auth|cookie|session|card_?(number|num|no)\b|\bpan\b|cvv|cvc|iban|ssn|private/i;

/** Judges a probe the assistant wants: read-only expressions, small limits, nothing that looks like a secret. */
export function assessRisk(probe: NewProbe, captured: readonly string[]): Risk {
  const concerns: string[] = [];
  if (probe.maxHits === undefined || probe.maxHits > (probe.kind === 'snapshot' ? LOW_RISK.snapshotMaxHits : LOW_RISK.maxHits)) concerns.push(`hit limit ${probe.maxHits ?? 'none'} is high`);
  if (probe.maxPerSecond === undefined || probe.maxPerSecond > LOW_RISK.maxPerSecond) concerns.push(`rate limit ${probe.maxPerSecond ?? 'none'}/s is high`);
  if (probe.ttlSeconds === undefined || probe.ttlSeconds > LOW_RISK.ttlSeconds) concerns.push(`lives ${probe.ttlSeconds ?? 'the relay maximum'}s`);
  if (probe.kind === 'log') {
    const problem = templateProblem(probe.template);
    if (problem) concerns.push(problem);
  }
  if (probe.condition) {
    const problem = conditionProblem(probe.condition);
    if (problem) concerns.push(problem);
  }
  const sensitive = captured.filter((c) => SENSITIVE.test(c));
  if (sensitive.length) concerns.push(`captures values that may be secret: ${sensitive.join(', ')}`);
  if (SENSITIVE.test(probe.file)) concerns.push(`the file ${probe.file} may handle secrets`);
  return { low: concerns.length === 0, concerns };
}

/**
 * Decides on the assistant's proposals — as a person, through that person's connection. Implementations:
 * approve what is low risk (`--approve-low-risk`), ask on a terminal, or leave it to someone else.
 */
export interface Approver<P extends RiskAssessed = Proposal> {
  /** Called once per batch of new proposals; may approve/reject some, all or none (then a person elsewhere decides). */
  review(proposals: readonly P[]): Promise<void>;
  /** Shown when proposals wait for someone else. */
  readonly describe: string;
}

/** What any proposal (the investigator's, the PR review's) carries for deciding on it. */
export interface RiskAssessed {
  view: ProbeView;
  risk: Risk;
}

/** Approves low-risk proposals with a person's token; leaves the others waiting (and says why). */
export function lowRiskApprover<P extends RiskAssessed = Proposal>(person: Pick<RelayLike, 'request'>, log: (line: string) => void = () => undefined): Approver<P> {
  return {
    describe: 'approving low-risk proposals automatically',
    async review(proposals) {
      for (const p of proposals) {
        if (p.view.state !== 'proposed') continue;
        if (p.risk.low) await person.request('probe.approve', { probeId: p.view.probe.id });
        else log(`${p.view.probe.id} needs a person: ${p.risk.concerns.join('; ')}`);
      }
    },
  };
}

/** Asks a person for each proposal (`ask` shows the question and resolves with the answer). */
export function interactiveApprover(person: Pick<RelayLike, 'request'>, ask: (question: string) => Promise<string>): Approver {
  return {
    describe: 'asking you for each proposal',
    async review(proposals) {
      for (const p of proposals) {
        if (p.view.state !== 'proposed') continue;
        const risk = p.risk.low ? 'low risk' : `NOT low risk: ${p.risk.concerns.join('; ')}`;
        const answer = (await ask(`Approve ${p.view.probe.id}? ${p.summary}\n  why: ${p.plan.reason}\n  (${risk}) [y/N] `)).trim().toLowerCase();
        if (answer === 'y' || answer === 'yes') await person.request('probe.approve', { probeId: p.view.probe.id });
        else await person.request('probe.reject', { probeId: p.view.probe.id, reason: 'declined at the investigate prompt' });
      }
    },
  };
}

/** Leaves every decision to people elsewhere (VS Code, `runtruth probe approve`). */
export const externalApprover: Approver<RiskAssessed> = {
  describe: 'waiting for a person to approve (runtruth probe approve ID, or the Runtruth view in VS Code)',
  async review() {},
};
