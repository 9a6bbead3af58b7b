import type { Risk } from './approval';
import type { TimelineEvent } from './deployments';
import type { Anomaly, Hypothesis, Observation, Score } from './schema';
import type { SiteState } from './evidence/sites';

/** What an investigation reports as it goes, for the CLI's step-by-step output, the VS Code view and --json. */
export type InvestigationEvent =
  | { type: 'context'; service: string; deployed: string; previous?: string; window: string; timeline: TimelineEvent[]; searched: string[]; terms: string[] }
  | { type: 'hypotheses'; hypotheses: Hypothesis[] }
  /** `file`/`line`/`kind`/`captures`/`expression`: exactly what will be captured and where, for a person deciding. */
  | { type: 'proposed'; proposals: { probeId: string; summary: string; reason: string; state: string; risk: Risk; file: string; line: number; kind: string; captures: string[]; expression: string }[] }
  | { type: 'decided'; probeId: string; state: SiteState; decidedBy?: string; reason?: string }
  | { type: 'evidence'; probeId: string; file: string; line: number; observations: number; latest: Observation; anomalies: Anomaly[] }
  | { type: 'scores'; scores: Score[]; hypotheses: Hypothesis[] }
  | { type: 'round'; round: number; reason: string }
  | { type: 'note'; text: string }
  | { type: 'finished'; status: 'confirmed' | 'undetermined'; culprit?: string; reportMarkdown: string };
