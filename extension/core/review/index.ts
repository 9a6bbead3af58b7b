// Runtime-aware PR review: no editor imports, reused by the CLI, the VS Code extension and an MCP server.
export { reviewBranch, ReviewError, type ReviewOptions } from './review';
export { renderReviewMarkdown } from './markdown';
export { assessReviewRisk, externalReviewApprover, lowRiskReviewApprover, type ReviewApprover, type ReviewProposal } from './approval';
export type { ReviewEvent } from './events';
export { diffHunks, type ChangedHunk } from './hunks';
export { planReview, DEFAULT_REVIEW_BUDGET, type HunkPlan, type ReviewBudget } from './plan';
export { analyzeHunks } from './analyze';
export * from './schema';
