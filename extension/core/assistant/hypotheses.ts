import type { CodeContext } from './codeContext';
import type { CommitFacts } from './commitFacts';
import { AnomalyKind, Hypothesis } from './schema';
import { scoreHypotheses } from './scorer';

/** The id of the "nothing in the code window explains it" hypothesis every investigation keeps. */
export const EXTERNAL_ID = 'h0';

export const externalHypothesis = (): Hypothesis =>
  Hypothesis.parse({
    id: EXTERNAL_ID,
    kind: 'external',
    claim: 'No change in the commit window explains it: the cause is outside this code (input data, configuration, a dependency or infrastructure).',
    prediction: { description: 'The code on the executed path shows no anomalous values; its lines behave as written.', anomalies: [...AnomalyKind.options] },
  });

/** A hypothesis that one commit caused the behaviour in the question. */
export function commitHypothesis(id: string, c: CommitFacts): Hypothesis {
  const where = c.codeFiles.length ? c.codeFiles.join(', ') : c.files.join(', ');
  return Hypothesis.parse({
    id,
    claim: `Commit ${c.sha.slice(0, 8)} "${c.subject}" (${c.author}) changed ${where}; values produced or compared there no longer behave as the code expects.`,
    suspectCommits: [c.sha],
    suspectLocations: c.surviving.slice(0, 20).map((l) => ({ ...l, reason: 'changed by this commit, still deployed' })),
    prediction: {
      description:
        'Its changed lines run under the incident traffic, and a value they write (or the line itself) shows an anomaly where the code uses it: a type the code does not compare correctly, NaN/undefined in arithmetic or comparisons, an exception path, or a branch that never fires.',
      anomalies: [...AnomalyKind.options],
      identifiers: [],
      executes: true,
    },
  });
}

/**
 * One hypothesis per commit that could matter (changes production code on the request path or touching the
 * searched code), the `max` most plausible by prior, plus the external one. Ids follow rank: h1 is the best.
 */
export function builtinHypotheses(ctx: CodeContext, max = 8): Hypothesis[] {
  const candidates = [...ctx.facts.values()].filter((c) => c.codeFiles.length > 0 && (c.pathDistance !== undefined || c.searchFiles.length > 0));
  const provisional = candidates.map((c) => commitHypothesis(`c${c.sha.slice(0, 12)}`, c));
  const scores = scoreHypotheses({ hypotheses: provisional, commits: ctx.facts, sites: [], minHits: 1 });
  const chosen = scores.slice(0, max).map((s) => provisional.find((h) => h.id === s.hypothesisId)!);
  return [externalHypothesis(), ...chosen.map((h, i) => ({ ...h, id: `h${i + 1}` }))];
}
