import type { NewProbe, ProbeView } from '../../../backend/protocol';
import { assessRisk, externalApprover, LOW_RISK, lowRiskApprover, type Approver, type Risk } from '../assistant/approval';
import type { RelayLike } from '../assistant/runtime';

/** A review probe waiting for a person: the probe as the relay holds it, what it does and why. */
export interface ReviewProposal {
  view: ProbeView;
  summary: string;
  reason: string;
  risk: Risk;
}

/** Decides on the review's proposals (through a person's connection), or leaves them to someone else. */
export type ReviewApprover = Approver<ReviewProposal>;

/**
 * Hit counters and call timers read no program data (a counter costs ~40 ns a hit on the inject tier), so a
 * high hit limit is not a risk; only their lifetime is judged. Logpoints are judged like the investigator's (small limits, nothing secret).
 */
export function assessReviewRisk(probe: NewProbe, captured: readonly string[]): Risk {
  if (probe.kind === 'metric' && probe.metric !== 'value') {
    const concerns = probe.ttlSeconds === undefined || probe.ttlSeconds > LOW_RISK.ttlSeconds ? [`lives ${probe.ttlSeconds ?? 'the relay maximum'}s`] : [];
    return { low: concerns.length === 0, concerns };
  }
  return assessRisk(probe, captured);
}

/** The investigator's approvers serve the review unchanged: they judge only the view and the risk. */
export const lowRiskReviewApprover = (person: Pick<RelayLike, 'request'>, log?: (line: string) => void): ReviewApprover => lowRiskApprover<ReviewProposal>(person, log);
export const externalReviewApprover: ReviewApprover = externalApprover;
