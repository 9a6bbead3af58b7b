import { tool } from 'ai';
import { z } from 'zod';
import { conditionProblem } from '../../templateCheck';
import { termsFromQuestion } from '../code/keywords';
import { searchCode } from '../code/search';
import { captureList } from '../evidence/captures';
import { siteKey, valueTypes } from '../evidence/sites';
import { blame } from '../git/blame';
import { commitDiff } from '../git/diff';
import { planAt } from '../planner';
import { Hypothesis, HypothesisId, Sha } from '../schema';
import type { InvestigationSession } from '../session';

/** Budget and hand-off shared by the tools of one run: `finish` records its summary and ends the loop. */
export interface ToolState {
  deadline: number;
  finished?: { summary: string };
  /** wait_for_evidence calls so far (the model's "rounds"). */
  waits?: number;
}

/** Tool errors are thrown; the SDK hands their message back to the model as the tool's result, which it can fix. */
class ToolInputError extends Error {
  override name = 'ToolInputError';
}

const MAX_DIFF_LINES = 400;
const MAX_READ_LINES = 200;

/**
 * The assistant's tools for a model: every input validated by zod, every probe a proposal a person approves,
 * every score computed by Runtruth's scorer (the model proposes hypotheses; it never scores them).
 */
export function investigationTools(session: InvestigationSession, state: ToolState) {
  const spent = () => {
    if (session.now() >= state.deadline) throw new ToolInputError('the investigation budget is spent: call finish with what you know');
  };
  const code = session.code;
  return {
    list_services: tool({
      description: 'Services at the relay, their instances, deployed commits and start times (the deployment history).',
      inputSchema: z.object({}),
      execute: async () => ({
        investigating: session.service,
        deployed: code.deployed,
        previous: code.previous ?? null,
        services: (await session.options.runtime.services()).map((s) => ({
          service: s.service,
          instances: s.instances.map((i) => ({ id: i.instanceId, connected: i.connected, commit: i.commit ?? null, startedAt: i.startedAt })),
        })),
        timeline: session.deployment.timeline,
      }),
    }),
    recent_commits: tool({
      description: 'Commits in the investigation window (previous deploy..deployed), newest first, with the files and identifiers each changed.',
      inputSchema: z.object({ limit: z.int().min(1).max(100).default(30) }),
      execute: async ({ limit }) =>
        code.commits.slice(0, limit).map((c) => {
          const f = code.facts.get(c.sha);
          return { sha: c.sha, subject: c.subject, author: c.author, committedAt: c.committedAt, hoursBeforeIncident: f?.hoursBefore ?? null, files: f?.files ?? [], writes: f?.writes ?? [], linesChanged: f?.codeLinesChanged ?? 0 };
        }),
    }),
    commit_diff: tool({
      description: "A commit's unified diff against its parent (truncated).",
      inputSchema: z.object({ sha: Sha }),
      execute: async ({ sha }) => {
        const full = code.commits.find((c) => c.sha.startsWith(sha));
        if (!full) throw new ToolInputError(`commit ${sha} is not in the investigation window (see recent_commits)`);
        const files = await commitDiff(code.repo, full.sha);
        const lines: string[] = [];
        for (const f of files) {
          lines.push(`--- ${f.oldPath ?? f.path}`, `+++ ${f.path} (${f.status}, +${f.added} -${f.removed})`);
          for (const h of f.hunks) {
            lines.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@ ${h.section}`);
            for (const l of h.lines) lines.push(`${l.kind === 'add' ? '+' : l.kind === 'del' ? '-' : ' '}${l.text}`);
          }
        }
        return { sha: full.sha, subject: full.subject, diff: lines.slice(0, MAX_DIFF_LINES).join('\n'), truncated: lines.length > MAX_DIFF_LINES };
      },
    }),
    blame: tool({
      description: 'Which commit last changed each line of a file in the deployed revision.',
      inputSchema: z.object({ file: z.string().min(1), startLine: z.int().min(1), endLine: z.int().min(1) }),
      execute: async ({ file, startLine, endLine }) => {
        if (endLine < startLine || endLine - startLine > MAX_READ_LINES) throw new ToolInputError(`give 1-${MAX_READ_LINES} lines with endLine >= startLine`);
        const lines = await blame(code.repo, file, { rev: code.deployed, start: startLine, end: endLine });
        return lines.map((b) => ({ line: b.line, sha: b.sha, author: b.author, summary: b.summary, text: b.text }));
      },
    }),
    search_code: tool({
      description: 'Searches the deployed production code for words (identifiers, domain terms); returns files and matching lines.',
      inputSchema: z.object({ query: z.string().min(2).max(300) }),
      execute: async ({ query }) => {
        const hits = await searchCode(code.repo, termsFromQuestion(query), { rev: code.deployed, maxFiles: 10 });
        return hits.map((h) => ({ file: h.file, score: h.score, lines: h.lines.slice(0, 10).map((l) => ({ line: l.line, text: l.text })) }));
      },
    }),
    read_code: tool({
      description: 'Reads lines of a file as deployed, numbered.',
      inputSchema: z.object({ file: z.string().min(1), startLine: z.int().min(1).default(1), endLine: z.int().min(1).optional() }),
      execute: async ({ file, startLine, endLine }) => {
        const text = await code.files.read(file);
        if (text === undefined) throw new ToolInputError(`no file ${file} in the deployed revision`);
        const all = text.split('\n');
        const end = Math.min(all.length, endLine ?? startLine + 80, startLine + MAX_READ_LINES);
        return all.slice(startLine - 1, end).map((t, i) => `${startLine + i}: ${t}`).join('\n');
      },
    }),
    update_hypotheses: tool({
      description:
        'Adds or replaces hypotheses (explicit claims with suspect commits, suspect locations and the runtime observation that would confirm them). Returns Runtruth scores for all of them.',
      inputSchema: z.object({ hypotheses: z.array(Hypothesis.extend({ origin: z.literal('model').default('model') })).min(1).max(20) }),
      execute: async ({ hypotheses }) => {
        for (const h of hypotheses) for (const sha of h.suspectCommits) if (!code.commits.some((c) => c.sha.startsWith(sha))) throw new ToolInputError(`${h.id}: commit ${sha} is not in the window`);
        session.setHypotheses(hypotheses);
        return scoreSummary(session);
      },
    }),
    propose_probe: tool({
      description:
        "Proposes a read-only probe at file:line capturing values (with their runtime types). A person approves or rejects it; nothing runs before. Without `captures`, captures what the line reads and compares.",
      inputSchema: z.object({
        file: z.string().min(1),
        line: z.int().min(1),
        captures: z.array(z.string().min(1).max(300)).max(10).optional(),
        hypothesisIds: z.array(HypothesisId).min(1).max(10),
        reason: z.string().min(1).max(500),
        role: z.enum(['symptom', 'change', 'written']).default('change'),
      }),
      execute: async ({ file, line, captures, hypothesisIds, reason, role }) => {
        spent();
        for (const c of captures ?? []) {
          const problem = conditionProblem(c);
          if (problem) throw new ToolInputError(`capture "${c}" is not a read-only expression: ${problem}`);
        }
        const facts = await session.facts.of(file);
        if (!facts) throw new ToolInputError(`no file ${file} in the deployed revision`);
        const plan = planAt(facts, { file, line }, role, hypothesisIds, reason, captures);
        if (!plan) throw new ToolInputError(`${file}:${line} has nothing to capture (blank, a comment, or no values); pick a line that reads values`);
        const [proposal] = await session.propose([plan]);
        const site = session.sites.get(siteKey(plan))!;
        return { probeId: site.probeId ?? null, state: site.state, summary: proposal?.summary ?? `already placed at ${siteKey(plan)}`, captures: captureList(plan).map((c) => c.name), risk: proposal?.risk ?? null };
      },
    }),
    wait_for_evidence: tool({
      description: 'Waits for approvals and then for evidence from the proposed probes (up to `seconds`), and returns what each site saw: hits, runtime types, anomalies.',
      inputSchema: z.object({ probeIds: z.array(z.string()).max(20).optional(), seconds: z.int().min(1).max(600).default(30) }),
      execute: async ({ probeIds, seconds }) => {
        spent();
        state.waits = (state.waits ?? 0) + 1;
        const until = Math.min(state.deadline, session.now() + seconds * 1000);
        await session.awaitDecisions(until);
        await session.collect(until, probeIds);
        session.rescore();
        return [...session.sites.values()]
          .filter((s) => !probeIds || (s.probeId && probeIds.includes(s.probeId)))
          .map((s) => ({
            probeId: s.probeId ?? null,
            site: siteKey(s.plan),
            role: s.plan.role,
            state: s.state,
            bound: s.bound,
            hits: s.hits,
            reason: s.statusReason ?? null,
            types: valueTypes(s),
            examples: s.observations.slice(-3).map((o) => Object.fromEntries(Object.entries(o.values).map(([k, v]) => [k, `${v.text} (${v.type})`]))),
            anomalies: s.anomalies.map((a) => ({ kind: a.kind, expression: a.expression, detail: a.detail, count: a.count, total: a.total, example: a.examples[0] ?? null })),
          }));
      },
    }),
    get_baselines: tool({
      description:
        "Each captured branch's true-rate since the deploy versus before it (evidence stored before the deploy, or instances of the previous commit still running): tells 'stopped firing at the deploy' from 'never fired'. Empty when no baseline was found.",
      inputSchema: z.object({}),
      execute: async () => {
        session.rescore();
        return session.baselines.map((b) => ({ site: siteKey(b), expression: b.expression, sinceDeploy: b.after, beforeDeploy: b.before, change: b.change, sources: b.sources, detail: b.detail }));
      },
    }),
    get_scores: tool({
      description: "Runtruth's scores for every hypothesis, with the breakdown (prior from commit features, likelihood from evidence) and verdicts.",
      inputSchema: z.object({}),
      execute: async () => scoreSummary(session),
    }),
    finish: tool({
      description: 'Ends the investigation: Runtruth writes the RCA report from the evidence and its scores. Give a short summary of your conclusion.',
      inputSchema: z.object({ summary: z.string().min(1).max(2000) }),
      execute: async ({ summary }) => {
        state.finished = { summary };
        const top = session.rescore()[0];
        return { recorded: true, topHypothesis: top?.hypothesisId ?? null, verdict: top?.verdict ?? null };
      },
    }),
  };
}

function scoreSummary(session: InvestigationSession) {
  return session.rescore().map((s) => ({
    id: s.hypothesisId,
    rank: s.rank,
    verdict: s.verdict,
    why: s.verdictReason,
    logit: s.logit,
    share: s.share,
    breakdown: [...s.prior, ...s.evidence].map((i) => `${i.label}: ${i.points} (${i.reason})`),
  }));
}
