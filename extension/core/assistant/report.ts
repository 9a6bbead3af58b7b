import type { CommitFacts } from './commitFacts';
import type { InvestigationResult, SiteSummary } from './result';
import type { Anomaly, AnomalyKind, Score } from './schema';
import { WEIGHTS } from './scorer';

/** Extra material the report can show (read from git by the caller). */
export interface ReportInputs {
  result: InvestigationResult;
  commits: ReadonlyMap<string, CommitFacts>;
  /** Source text of culprit lines (`file:line` → text). */
  lineText?: (file: string, line: number) => string | undefined;
  /** Function around a line, for the fix area. */
  functionAt?: (file: string, line: number) => string | undefined;
}

const FIX_HINTS: Record<AnomalyKind, string> = {
  'type-mismatch': 'restore the type the comparison expects where the value is produced, or convert it explicitly (e.g. parse a formatted amount to a number) before it is compared',
  nan: 'find the non-numeric or missing operand that turns the result into NaN and validate it before the arithmetic',
  undefined: 'a field the code reads is missing (renamed or no longer sent): read the new name or handle its absence explicitly',
  lexicographic: 'parse numeric strings to numbers before comparing them',
  'string-boolean': "parse the flag explicitly (value === 'true') instead of testing the string for truth",
  exception: 'handle the input that makes the call throw, instead of swallowing the exception',
  'constant-branch': 'check the value (or unit) of the threshold the comparison uses: the branch never changes outcome',
};

/** The RCA document: question, timeline, hypotheses with scores and reasons, evidence, culprit, fix area, audit. */
export function renderReport({ result: r, commits, lineText, functionAt }: ReportInputs): string {
  const out: string[] = [];
  const short = (sha: string) => sha.slice(0, 8);
  const hyp = (id: string) => r.hypotheses.find((h) => h.id === id);
  out.push(`# Root cause analysis: ${r.question}`, '');
  if (r.culprit) {
    const top = r.scores[0]!;
    out.push(`**Status: confirmed by runtime evidence.** Commit \`${short(r.culprit.sha)}\` "${r.culprit.subject}" (${r.culprit.author}, ${r.culprit.committedAt}) — ranked 1st, ${pct(top.share)} of the score, log-odds ${top.logit}.`);
  } else {
    out.push('**Status: undetermined.** No hypothesis was confirmed by evidence on the executed path; see what could not be determined below.');
  }
  out.push('', `- Service: \`${r.service}\`, deployed \`${short(r.deployed)}\`${r.previous ? `, previously \`${short(r.previous)}\`` : ''}`, `- Window: ${r.window}`, `- Investigator: ${r.investigator === 'builtin' ? 'built-in (no model)' : 'model-driven'}; scores by Runtruth's explainable scorer`, `- Probes: ${r.probeKind}; ${r.sites.length} site(s), every one proposed and approved by a person or policy`, `- Started ${r.startedAt}, finished ${r.finishedAt}`, '');

  if (r.culprit) {
    out.push('## Summary', '');
    const e = r.culprit.evidence.find((a) => a.kind !== 'constant-branch') ?? r.culprit.evidence[0];
    if (e) out.push(`At \`${e.file}:${e.line}\`, in \`${e.expression}\`, ${e.detail}: ${e.examples.map((x) => `\`${x}\``).join(', ')} (${e.count} of ${e.total} observations). The value is written by lines commit \`${short(r.culprit.sha)}\` changed, and those lines ran under the incident's traffic.`, '');
    const at = r.culprit.evidence.find((a) => a !== e && a.kind === e?.kind && r.culprit!.lines.some((l) => l.file === a.file));
    if (at) out.push(`Right after the change, at \`${at.file}:${at.line}\`: ${at.examples.map((x) => `\`${x}\``).join(', ')} (${at.count} of ${at.total}).`, '');
  }

  out.push('## Timeline', '');
  for (const t of [...r.timeline].sort((a, b) => a.at.localeCompare(b.at))) out.push(`- ${t.at} — ${t.what}`);
  out.push('');

  out.push('## Hypotheses', '', '| Rank | Id | Claim | Verdict | Share | Log-odds (prior + evidence) |', '|---|---|---|---|---|---|');
  for (const s of r.scores) {
    const h = hyp(s.hypothesisId);
    out.push(`| ${s.rank} | ${s.hypothesisId} | ${cell(h?.claim ?? '')} | ${s.verdict} | ${pct(s.share)} | ${s.logit} (${s.priorPoints} + ${s.evidencePoints}) |`);
  }
  out.push('');
  for (const s of r.scores.slice(0, 5)) out.push(...breakdown(s, hyp(s.hypothesisId)?.prediction.description));

  out.push('## Confirming evidence', '');
  const evidence = r.culprit?.evidence ?? r.sites.flatMap((s) => s.anomalies);
  if (!evidence.length) out.push('No anomaly was observed.', '');
  for (const a of evidence) out.push(...anomalyLines(a, r.sites));
  if (r.baselines?.length) {
    out.push('### Before the deploy', '', '| Site | Branch | Since the deploy | Before | Change | Baseline from |', '|---|---|---|---|---|---|');
    for (const b of r.baselines) out.push(`| \`${b.file}:${b.line}\` | \`${cell(b.expression)}\` | ${b.after.trues} of ${b.after.observations} true | ${b.before.trues} of ${b.before.observations} true | ${b.change} | ${b.sources.join(', ')} |`);
    out.push('');
  }
  out.push('### Values captured (runtime types)', '', '| Site | Value | Types seen |', '|---|---|---|');
  for (const s of r.sites) for (const [name, types] of Object.entries(s.types)) out.push(`| \`${s.file}:${s.line}\` | \`${cell(name)}\` | ${Object.entries(types).map(([t, n]) => `${t} ×${n}`).join(', ')} |`);
  out.push('');

  if (r.culprit) {
    const facts = commits.get(r.culprit.sha);
    out.push('## Culprit', '', `Commit \`${r.culprit.sha}\` — "${r.culprit.subject}" by ${r.culprit.author}, ${r.culprit.committedAt}.`, '');
    if (facts) out.push(`Files: ${facts.files.map((f) => `\`${f}\``).join(', ')}; ${facts.codeLinesChanged} production line(s) changed.`, '');
    out.push('Its lines in the deployed code:', '', '```');
    for (const l of r.culprit.lines.slice(0, 20)) out.push(`${l.file}:${l.line}  ${lineText?.(l.file, l.line)?.trim() ?? ''}`);
    out.push('```', '');
    out.push('## Suggested fix area', '');
    const e = r.culprit.evidence.find((a) => a.kind !== 'constant-branch') ?? r.culprit.evidence[0];
    const produced = r.culprit.lines.find((l) => e && new RegExp(`\\b${escapeRe(e.identifiers[0] ?? '\u0000')}\\b`).test(lineText?.(l.file, l.line) ?? '')) ?? r.culprit.lines[0];
    if (produced) {
      const fn = functionAt?.(produced.file, produced.line);
      out.push(`- Where the value is produced: \`${produced.file}:${produced.line}\`${fn ? ` in \`${fn}()\`` : ''} (changed by \`${short(r.culprit.sha)}\`).`);
    }
    if (e) {
      const fn = functionAt?.(e.file, e.line);
      out.push(`- Where it goes wrong: \`${e.file}:${e.line}\`${fn ? ` in \`${fn}()\`` : ''} — \`${e.expression}\`.`, `- What to do: ${FIX_HINTS[e.kind]}.`, '- Validate the fix the same way: re-run this investigation (or keep its probes with `--keep-probes`) and check the anomaly is gone under live traffic.');
    }
    out.push('');
  }

  out.push('## What was instrumented', '', '| Probe | Where | Role | Kind | Captured | State | Requested by | Decided | Audit | Hits |', '|---|---|---|---|---|---|---|---|---|---|');
  for (const s of r.sites) {
    const a = s.approval;
    const decided = a?.decision ? `${a.decision} by ${a.decidedBy ?? '?'}${a.decidedAt ? ` at ${a.decidedAt}` : ''}${a.reason ? ` (${cell(a.reason)})` : ''}` : 'undecided';
    out.push(`| ${s.probeId ?? '—'} | \`${s.file}:${s.line}\` | ${s.role} | ${s.kind ?? '—'} | ${cell(s.captured.join(', '))} | ${s.state}${s.statusReason ? ` (${cell(s.statusReason)})` : ''} | ${a ? `${a.requestedBy} (${a.origin})` : '—'} | ${decided} | ${a?.auditSeqs?.length ? a.auditSeqs.map((n) => `#${n}`).join(' ') : r.audited ? 'none' : 'n/a'} | ${s.hits} |`);
  }
  out.push('', r.audited ? 'Audit sequence numbers refer to the relay\'s tamper-evident audit log (`runtruth audit --verify`).' : 'Audit ids need an admin token; the approvals above are as the relay recorded them.', '');

  out.push('## What could not be determined', '');
  if (!r.undetermined.length) out.push('Nothing material: the culprit was confirmed on the executed path.');
  for (const u of r.undetermined) out.push(`- ${u}`);
  for (const n of r.notes) out.push(`- Note: ${n}`);
  out.push('', '## Reproduce', '', '```', `runtruth investigate ${JSON.stringify(r.question)} --service ${r.service}`, '```', '', `Scoring is deterministic: the same commits and evidence give the same scores (weights: ${Object.keys(WEIGHTS).length} named constants in extension/core/assistant/scorer.ts).`, '');
  return out.join('\n');
}

function breakdown(s: Score, prediction?: string): string[] {
  const out = [`### ${s.hypothesisId}: ${s.verdict} — ${s.verdictReason}`, ''];
  if (prediction) out.push(`Predicted observation: ${prediction}`, '');
  out.push('| Part | Factor | Value × weight | Points | Why |', '|---|---|---|---|---|');
  for (const i of s.prior) out.push(`| prior | ${i.label} | ${i.value} × ${i.weight} | ${i.points} | ${cell(i.reason)} |`);
  for (const i of s.evidence) out.push(`| evidence | ${i.label} | ${i.value} × ${i.weight} | ${i.points} | ${cell(i.reason)} |`);
  out.push('');
  return out;
}

function anomalyLines(a: Anomaly, sites: SiteSummary[]): string[] {
  const site = sites.find((s) => s.probeId === a.probeId);
  return [
    `- **${a.kind}** at \`${a.file}:${a.line}\` in \`${a.expression}\`: ${a.detail}.`,
    `  - seen in ${a.count} of ${a.total} observation(s) by probe ${a.probeId}${site ? ` (${site.role})` : ''}; e.g. ${a.examples.map((x) => `\`${x}\``).join(', ')}`,
    ...(a.evidenceIds.length ? [`  - stored evidence ids: ${a.evidenceIds.join(', ')}`] : []),
    '',
  ];
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pct = (x: number) => `${Math.round(x * 100)}%`;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
