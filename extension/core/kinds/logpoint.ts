import type { NewProbe, Selector } from '../../../backend/protocol';
import type { ProbeLimits } from '../limits';
import type { ProbeKindInfo } from '../probeKinds';

export const logpointKind: ProbeKindInfo<'log'> = {
  kind: 'log',
  label: 'Logpoint',
  icon: 'debug-breakpoint-log',
  addCommand: 'runtruth.addLogpoint',
  summary: (spec) => `log "${spec.template}"${spec.condition ? ` if ${spec.condition}` : ''}`,
  evidenceLine: (e) => e.message,
  evidenceDetail: (e) => e.message,
};

export interface LogpointInput {
  selector: Selector;
  file: string;
  /** 1-based, as the protocol counts. */
  line: number;
  template: string;
  condition?: string;
  limits: ProbeLimits;
}

/** The `probe.add` payload for a logpoint, with optional fields left out rather than sent empty. */
export function newLogpoint(input: LogpointInput): NewProbe {
  const condition = input.condition?.trim();
  return {
    kind: 'log',
    selector: input.selector,
    file: input.file,
    line: input.line,
    template: input.template,
    ttlSeconds: input.limits.ttlSeconds,
    ...(condition ? { condition } : {}),
    ...(input.limits.maxHits ? { maxHits: input.limits.maxHits } : {}),
  };
}
