import type { SourceFacts } from '../assistant/code/lineFacts';
import { changeOf, type ChangedHunk } from './hunks';
import type { HunkMapping, LineCounter } from './schema';

/** Where a hunk lands in the deployed code and which deployed lines get counters. */
export interface DeployedPlacement {
  mapping: HunkMapping;
  anchorLine?: number;
  deployedLines?: { start: number; end: number };
  function?: string;
  counters: { line: number; role: LineCounter['role'] }[];
  notes: string[];
}

/** How far from an insertion point we look for a deployed statement to stand in for the new code. */
const NEAREST_SEARCH_LINES = 8;
/** Lines that close or continue a block: V8 has nothing of their own to break on. */
const NOT_A_STATEMENT = new Set(['}', ')', ']', 'else', 'catch', 'finally']);

/** A line that starts a statement the agent can place a probe on. */
export function isStatementLine(facts: SourceFacts, line: number): boolean {
  const idx = facts.indexesOn(line);
  if (!idx.length) return false;
  const first = facts.tokens[idx[0]!]!;
  return !NOT_A_STATEMENT.has(first.text) && !(first.type === 'str' && idx.length <= 2 && facts.lineText(line).trim().startsWith("'use strict'"));
}

/**
 * Maps a hunk onto the deployed file: changed or deleted lines are probed where they are (the old side);
 * pure additions are probed at the nearest deployed statement at the insertion point — the next one in the
 * same block (it runs where the new code would, with the same values in scope), else the previous one.
 */
export function placeOnDeployed(hunk: ChangedHunk, deployed: SourceFacts | undefined): DeployedPlacement {
  if (!hunk.deployedFile || !deployed) return { mapping: 'none', counters: [], notes: ['a new file: nothing of it is deployed yet'] };
  const change = changeOf(hunk);
  if (change !== 'added') {
    const statements = hunk.removed.map((l) => l.line).filter((l) => isStatementLine(deployed, l));
    const deployedLines = { start: hunk.oldStart, end: hunk.oldStart + Math.max(hunk.oldLines, 1) - 1 };
    if (!statements.length) return { mapping: 'none', deployedLines, counters: [], notes: ['the changed deployed lines hold no statement (comments or braces only)'] };
    const anchor = statements[0]!;
    const counters: DeployedPlacement['counters'] = [{ line: anchor, role: change === 'deleted' ? 'deleted' : 'anchor' }];
    // a removed block: its body runs only when the branch is taken, which is what "still used?" asks
    const depthAt = (l: number) => deployed.tokens[deployed.indexesOn(l)[0]!]!.depth;
    const body = statements.find((l) => depthAt(l) > depthAt(anchor));
    if (body !== undefined) counters.push({ line: body, role: 'deleted-body' });
    return { mapping: 'old-side', anchorLine: anchor, deployedLines, ...fn(deployed, anchor), counters, notes: [] };
  }
  const anchor = nearestStatement(deployed, hunk.oldStart);
  if (anchor === undefined) return { mapping: 'none', counters: [], notes: [`no deployed statement within ${NEAREST_SEARCH_LINES} lines of the insertion point (line ${hunk.oldStart})`] };
  return {
    mapping: 'nearest-statement',
    anchorLine: anchor,
    deployedLines: { start: anchor, end: anchor },
    ...fn(deployed, anchor),
    counters: [{ line: anchor, role: 'anchor' }],
    notes: [`added code: measured at the nearest deployed statement, line ${anchor}`],
  };
}

/** `after` is the deployed line the new code follows (0: the top of the file). */
function nearestStatement(facts: SourceFacts, after: number): number | undefined {
  const startLine = Math.max(after + 1, 1);
  const startIdx = facts.indexesOn(startLine)[0] ?? facts.tokens.findIndex((t) => t.line > after);
  const blockDepth = startIdx >= 0 ? facts.tokens[startIdx]!.depth : 0;
  for (let l = startLine; l <= Math.min(after + NEAREST_SEARCH_LINES, facts.lineCount); l++) {
    const idx = facts.indexesOn(l);
    if (idx.length && facts.tokens[idx[0]!]!.depth < blockDepth) break; // the block closed
    if (isStatementLine(facts, l)) return l;
  }
  const fnAt = facts.enclosingFunction(startLine);
  for (let l = after; l >= Math.max(1, after - NEAREST_SEARCH_LINES); l--) {
    if (isStatementLine(facts, l) && facts.enclosingFunction(l) === fnAt) return l;
  }
  return undefined;
}

function fn(facts: SourceFacts, line: number): { function?: string } {
  const name = facts.enclosingFunction(line);
  return name ? { function: name } : {};
}
