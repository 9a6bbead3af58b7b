// The AI SRE assistant's core: no editor imports, reused by the CLI, the VS Code extension and an MCP server.
export { investigate, conclude, type InvestigateOptions, type Investigation } from './investigator';
export { InvestigationSession, type SessionOptions } from './session';
export { relayRuntime, type RuntimePort, type RelayLike } from './runtime';
export { assessRisk, externalApprover, interactiveApprover, lowRiskApprover, type Approver, type Proposal, type Risk } from './approval';
export type { InvestigationEvent } from './events';
export type { InvestigationResult, SiteSummary, Culprit } from './result';
export { renderReport } from './report';
export { scoreHypotheses, WEIGHTS, CONFIRM_MARGIN, type ScoringInput } from './scorer';
export * from './schema';
export { DEFAULT_BUDGET, encoders, logEncoder, snapshotEncoder, type ProbeBudget, type ProbeEncoder } from './evidence/encoders';
export { detectAnomalies } from './evidence/anomalies';
export { gatherCodeContext, type CodeContext } from './codeContext';
export type { CommitFacts } from './commitFacts';
export { runModelInvestigation, type ModelInvestigationOptions } from './model/loop';
export { parseModelSpec, resolveModel, ModelSpecError, KEY_ENV, type ModelSpec, type ModelProvider, type ResolvedModel } from './model/providers';
export { incidentContext, type IncidentContext } from './incidents';
