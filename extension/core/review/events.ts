import type { ProbeLifecycle } from '../../../backend/protocol';

/** Progress of a review, for a person watching (CLI lines, VS Code progress). */
export type ReviewEvent =
  | { type: 'context'; service: string; base: string; baseRef: string; head: string; headRef: string; instances: number }
  | { type: 'planned'; hunks: number; probes: number }
  | { type: 'proposed'; probeId: string; summary: string; state: ProbeLifecycle }
  | { type: 'decided'; probeId: string; state: ProbeLifecycle; decidedBy?: string }
  | { type: 'collecting'; seconds: number; probes: number }
  | { type: 'removed'; count: number }
  | { type: 'note'; text: string };
