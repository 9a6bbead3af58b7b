import type { ObservedValue, ReviewHunk, ReviewReport } from './schema';

const short = (sha: string) => sha.slice(0, 8);
const rate = (n: number | undefined) => (n === undefined ? 'not measured' : `${n.toLocaleString('en-US')}/min`);
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The review as Markdown to paste into the pull request. Deterministic: it renders the report and nothing else. */
export function renderReviewMarkdown(r: ReviewReport): string {
  const out: string[] = [];
  out.push(`# Runtime review: ${code(r.headRef)} (${short(r.head)}) against ${r.baseRef === 'deployed' ? 'the deployed' : code(r.baseRef)} ${short(r.base)}`);
  out.push('');
  out.push(`Service **${r.service}**, ${r.instances.length} instance${r.instances.length === 1 ? '' : 's'}, measured for ${Math.round(r.window.seconds)} s (${r.window.start} → ${r.window.end}). ` +
    `${r.summary.hunks} hunk${r.summary.hunks === 1 ? '' : 's'}, ${r.summary.observed} measured, **${r.summary.warnings} warning${r.summary.warnings === 1 ? '' : 's'}**, ${r.summary.probes} read-only probes (removed afterwards).`);
  out.push('');
  const warnings = r.hunks.flatMap((h) => h.findings.filter((f) => f.severity === 'warning').map((f) => ({ h, f })));
  out.push('## Findings');
  out.push('');
  if (!warnings.length) out.push('Live behaviour contradicts none of the change’s assumptions that were measured.');
  for (const { h, f } of warnings) out.push(`- ⚠️ **${h.id}** — ${f.message}`);
  out.push('');
  out.push('## Hunks');
  for (const h of r.hunks) out.push('', ...hunkSection(h));
  if (r.notes.length) out.push('', '## Notes', '', ...r.notes.map((n) => `- ${n}`));
  return out.join('\n') + '\n';
}

function hunkSection(h: ReviewHunk): string[] {
  const out: string[] = [];
  const where = h.function ? ` in ${code(`${h.function}()`)}` : '';
  out.push(`### ${h.id} — ${code(h.header)}${where}: ${rate(h.perMinute)}`);
  out.push('');
  const mapped = h.mapping === 'none' ? 'not mapped to deployed code' : h.mapping === 'old-side' ? `deployed lines ${h.deployedLines!.start}-${h.deployedLines!.end}` : `nearest deployed statement, line ${h.anchorLine}`;
  out.push(`${h.change} · ${mapped}${h.deployedFile && h.deployedFile !== h.file ? ` of ${code(h.deployedFile)}` : ''}`);
  if (h.counters.length) {
    out.push('', '| deployed line | role | hits/min | hits |', '|---|---|---|---|');
    for (const c of h.counters) out.push(`| ${c.line} | ${c.role} | ${c.perMinute === undefined ? cell(c.problem ?? c.state) : c.perMinute.toLocaleString('en-US')} | ${c.hits} |`);
  }
  if (h.exceptions) out.push('', `Exceptions: ${h.exceptions.thrown} of ${h.exceptions.calls} calls through line ${h.exceptions.line} left ${h.exceptions.function ? code(`${h.exceptions.function}()`) : 'the function'} by throwing (${h.exceptions.perMinute}/min).`);
  if (h.values.length) {
    out.push('', '| value | the change assumes | sampled | types | numeric range |', '|---|---|---|---|---|');
    for (const v of h.values) out.push(`| ${code(v.expression)} | ${cell(v.assumptions.map((a) => `${a.expects} (${code(a.because)})`).join(', ') || '—')} | ${v.samples} | ${cell(typeSummary(v))} | ${v.numeric ? `${v.numeric.min} … ${v.numeric.max}` : '—'} |`);
  }
  if (h.findings.length) out.push('', ...h.findings.map((f) => `- ${f.severity === 'warning' ? '⚠️' : 'ℹ️'} ${f.message}`));
  if (h.notes.length) out.push('', ...h.notes.map((n) => `- _${n}_`));
  out.push('', '```diff', ...h.removed.map((l) => `-${l.text}`), ...h.added.map((l) => `+${l.text}`), '```');
  return out;
}

function typeSummary(v: ObservedValue): string {
  if (!v.samples) return 'no samples';
  return Object.entries(v.types)
    .map(([t, n]) => `${t} ${Math.round((n / v.samples) * 100)}%${v.examples[t]?.length ? ` (${v.examples[t]!.join(', ')})` : ''}`)
    .join(', ');
}
