import type { NewProbe } from '../../../backend/protocol';
import type { SourceFacts } from '../assistant/code/lineFacts';
import { readsOfAddedLines, visibleAt, type ReadValue } from './assumptions';
import { changeOf, type ChangedHunk } from './hunks';
import { placeOnDeployed, type DeployedPlacement } from './mapping';

/** Limits of the review's probes. Counters capture nothing, so they may count every hit; captures are sampled. */
export interface ReviewBudget {
  ttlSeconds: number;
  counterMaxHits: number;
  captureMaxHits: number;
  captureMaxPerSecond: number;
}

export const DEFAULT_REVIEW_BUDGET: ReviewBudget = { ttlSeconds: 15 * 60, counterMaxHits: 1_000_000, captureMaxHits: 400, captureMaxPerSecond: 20 };

export interface PlannedCounter {
  line: number;
  role: DeployedPlacement['counters'][number]['role'];
  probe: NewProbe;
}

/**
 * A duration metric from the anchor to the enclosing function's return: it counts the calls that got there.
 * Calls the anchor counter saw that never completed left the function by throwing.
 */
export interface PlannedExits {
  line: number;
  function?: string;
  probe: NewProbe;
}

/** One logpoint at the anchor that writes each value with its runtime type (the format logEncoder reads). */
export interface PlannedCapture {
  line: number;
  values: ReadValue[];
  probe: NewProbe;
}

export interface HunkPlan {
  hunk: ChangedHunk;
  placement: DeployedPlacement;
  counters: PlannedCounter[];
  capture?: PlannedCapture;
  exits?: PlannedExits;
  /** Another hunk in the same function carries the exits probe (one per function: agents time one start per function). */
  exitsOf?: number;
  notes: string[];
}

/** Parsed source of both revisions, by path (undefined: not in that revision). */
export interface ReviewSources {
  deployed(file: string): SourceFacts | undefined;
  head(file: string): SourceFacts | undefined;
}

const SEPARATOR = ' | ';

/** The template logEncoder uses: `amount:string=12.50 | order.customer:undefined=undefined`. */
export function captureTemplate(expressions: readonly string[]): string {
  return expressions.map((e) => `${e.replace(/\{/g, '{{').replace(/\}/g, '}}')}:{typeof (${e})}={${e}}`).join(SEPARATOR);
}

/** Every probe the review wants, per hunk. Pure: the same diff and sources give the same plan. */
export function planReview(hunks: readonly ChangedHunk[], sources: ReviewSources, service: string, budget: ReviewBudget = DEFAULT_REVIEW_BUDGET): HunkPlan[] {
  const timedFunctions = new Map<string, number>();
  return hunks.map((hunk, index) => {
    const deployed = hunk.deployedFile ? sources.deployed(hunk.deployedFile) : undefined;
    const placement = placeOnDeployed(hunk, deployed);
    const notes = [...placement.notes];
    const file = hunk.deployedFile!;
    const selector = { service };
    const counters = placement.counters.map((c) => ({
      ...c,
      probe: { kind: 'metric', metric: 'count', selector, file, line: c.line, ttlSeconds: budget.ttlSeconds, maxHits: budget.counterMaxHits } satisfies NewProbe,
    }));
    const plan: HunkPlan = { hunk, placement, counters, notes };
    const anchor = placement.counters.find((c) => c.line === placement.anchorLine);
    const fnKey = placement.function ? `${file}\0${placement.function}` : undefined;
    if (anchor && fnKey && timedFunctions.has(fnKey)) plan.exitsOf = timedFunctions.get(fnKey)!;
    else if (anchor && fnKey && deployed?.insideFunction(anchor.line)) {
      timedFunctions.set(fnKey, index);
      plan.exits = {
        line: anchor.line,
        ...(placement.function ? { function: placement.function } : {}),
        // like the counter: every call is timed (no rate limit), or completed calls would be undercounted
        probe: { kind: 'metric', metric: 'duration', selector, file, line: anchor.line, ttlSeconds: budget.ttlSeconds, maxHits: budget.counterMaxHits },
      };
    }
    const head = sources.head(hunk.file);
    if (placement.anchorLine === undefined || !deployed || !head || changeOf(hunk) === 'deleted') return plan;
    const reads = readsOfAddedLines(head, hunk.added.map((l) => l.line));
    const values = reads.filter((r) => visibleAt(deployed, r.expression, placement.anchorLine!));
    const hidden = reads.filter((r) => !values.includes(r)).map((r) => r.expression);
    if (hidden.length) notes.push(`not in the deployed code at line ${placement.anchorLine}, so not captured: ${hidden.join(', ')}`);
    if (values.length) {
      plan.capture = {
        line: placement.anchorLine,
        values,
        probe: {
          kind: 'log',
          selector,
          file,
          line: placement.anchorLine,
          template: captureTemplate(values.map((v) => v.expression)),
          ttlSeconds: budget.ttlSeconds,
          maxHits: budget.captureMaxHits,
          maxPerSecond: budget.captureMaxPerSecond,
        },
      };
    }
    return plan;
  });
}
