import type { NewProbe } from '../../../backend/protocol';
import type { ProbeKindInfo } from '../probeKinds';
import { commonFields, type ProbeInputCommon } from '../probeInput';

export const logpointKind: ProbeKindInfo<'log'> = {
  kind: 'log',
  label: 'Logpoint',
  icon: 'debug-breakpoint-log',
  addCommand: 'runtruth.addLogpoint',
  summary: (spec) => `log "${spec.template}"${spec.condition ? ` if ${spec.condition}` : ''}`,
  evidenceLine: (e) => e.message,
  evidenceDetail: (e) => e.message,
};

export interface LogpointInput extends ProbeInputCommon {
  template: string;
}

/** The `probe.add` payload for a logpoint, with optional fields left out rather than sent empty. */
export function newLogpoint(input: LogpointInput): NewProbe {
  return { kind: 'log', ...commonFields(input), template: input.template };
}
