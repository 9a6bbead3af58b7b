import type { Finding, LineCounter, ReviewHunk } from './schema';

// Short texts for editors (tree items, inline decorations): one place, so every surface says the same thing.

const pct = (share: number | undefined) => (share === undefined ? '' : `${share > 0 && share < 0.01 ? '<1' : Math.round(share * 100)}%`);

export function rateText(perMinute: number | undefined): string {
  return perMinute === undefined ? 'not measured' : `${perMinute.toLocaleString('en-US')} hits/min`;
}

/** `amount: not a number in 25%` — a finding in a few words. */
export function findingShort(f: Finding): string {
  switch (f.kind) {
    case 'type-contradiction':
      return `${f.expression}: not a number in ${pct(f.share)}`;
    case 'missing-value':
      return `${f.expression}: missing in ${pct(f.share)}`;
    case 'deleted-code-runs':
      return `deleted code runs ${f.perMinute?.toLocaleString('en-US')}/min`;
    case 'evaluation-failed':
      return `${f.expression}: threw in ${pct(f.share)}`;
    case 'exceptions':
      return `throws in ${pct(f.share)} of calls`;
  }
}

/** Tree label and description of a hunk: where it is, how hot, what contradicts it. */
export function hunkLabel(h: ReviewHunk): { label: string; description: string } {
  // the branch's line (what the reviewer reads); a deletion has none, so the deployed line it removes
  const line = h.change === 'deleted' ? h.anchorLine ?? h.oldStart : h.newStart;
  const warnings = h.findings.filter((f) => f.severity === 'warning').length;
  return {
    label: `${h.file}:${line}${h.change === 'deleted' ? ' (deleted)' : ''}${h.function ? ` ${h.function}()` : ''}`,
    description: `${h.change} · ${rateText(h.perMinute)}${warnings ? ` · ⚠ ${warnings}` : ''}`,
  };
}

export function counterLabel(c: LineCounter): string {
  const what = c.role === 'anchor' ? 'changed line' : c.role === 'deleted' ? 'deleted line' : 'deleted block body';
  return `line ${c.line} (${what}): ${c.perMinute === undefined ? c.problem ?? c.state : `${rateText(c.perMinute)}, ${c.hits} hits`}`;
}

/** The inline text on a hunk's line in the diff editor. */
export function decorationText(h: ReviewHunk): string {
  const parts = [rateText(h.perMinute), ...h.findings.filter((f) => f.severity === 'warning').map((f) => `⚠ ${findingShort(f)}`)];
  return `  ◀ runtruth: ${parts.join(' · ')}`;
}
