import type { InvestigationEvent } from '../events';
import type { Investigation } from '../investigator';

/** What the chat participant writes; the editor edge maps it onto vscode.ChatResponseStream. */
export interface ChatOutput {
  markdown(text: string): void;
  progress(text: string): void;
  /** A button that runs a command with arguments (approve / reject a proposal, open the panel). */
  button(command: string, title: string, args: unknown[]): void;
}

export interface ChatTurnDeps {
  /** Starts the investigation (shown in the side panel too) and reports its events to `onEvent`. */
  investigate(question: string, onEvent: (e: InvestigationEvent) => void): Promise<Investigation>;
  /** Which investigator will run: a chat model's name or 'builtin'. */
  investigator: string;
}

export const HELP = [
  'Ask **@runtruth** a question about a running service, for example:',
  '',
  '> @runtruth why are high-value trades no longer sent to fraud review since the last deploy?',
  '',
  'Runtruth reads the deployments and the git history, states hypotheses, proposes read-only probes **you approve**, scores each hypothesis from the runtime evidence, and writes a root-cause report.',
].join('\n');

/**
 * One `@runtruth` request: runs an investigation from the question and streams its steps — hypotheses,
 * proposals with Approve/Reject buttons, evidence anomalies, scores — then the report. Returns what the
 * chat result's metadata carries.
 */
export async function runChatTurn(prompt: string, out: ChatOutput, deps: ChatTurnDeps): Promise<{ status: string; culprit?: string }> {
  const question = prompt.trim();
  if (!question) {
    out.markdown(HELP);
    return { status: 'help' };
  }
  out.progress(deps.investigator === 'builtin' ? 'Investigating with the built-in investigator (no chat model available)…' : `Investigating with ${deps.investigator}…`);
  const seenAnomalies = new Set<string>();
  let lastScores = '';
  const { result } = await deps.investigate(question, (e) => {
    for (const step of chatSteps(e, seenAnomalies)) {
      if (step.kind === 'scores') {
        if (step.text === lastScores) continue;
        lastScores = step.text;
      }
      if (step.kind === 'progress') out.progress(step.text);
      else out.markdown(step.text);
      for (const b of step.buttons ?? []) out.button(b.command, b.title, b.args);
    }
  });
  out.markdown(`\n\n---\n\n${result.culprit ? `**Culprit: commit \`${result.culprit.sha.slice(0, 8)}\` "${result.culprit.subject}"**, confirmed by runtime evidence.` : '**Undetermined**: no hypothesis was confirmed by runtime evidence.'}\n\n`);
  out.button('runtruth.openPanel', 'Open the Investigation view', []);
  out.button('runtruth.saveInvestigationReport', 'Save report', []);
  return { status: result.status, ...(result.culprit ? { culprit: result.culprit.sha } : {}) };
}

export interface ChatStep {
  kind: 'markdown' | 'progress' | 'scores';
  text: string;
  buttons?: Array<{ command: string; title: string; args: unknown[] }>;
}

/** Chat lines for one investigation event (pure: tested without VS Code). */
export function chatSteps(e: InvestigationEvent, seenAnomalies = new Set<string>()): ChatStep[] {
  switch (e.type) {
    case 'context':
      return [{ kind: 'markdown', text: `**${e.service}**: deployed \`${e.deployed.slice(0, 8)}\`${e.previous ? ` (previously \`${e.previous.slice(0, 8)}\`)` : ''}; ${e.window}.\n\n` }];
    case 'hypotheses':
      return [{ kind: 'markdown', text: `**Hypotheses**\n\n${e.hypotheses.map((h) => `- **${h.id}** ${h.claim}`).join('\n')}\n\n` }];
    case 'proposed':
      return e.proposals.map((p) => ({
        kind: 'markdown' as const,
        text: `**Proposed probe ${p.probeId}** at \`${p.file}:${p.line}\` (${p.kind}) — captures ${p.captures.map((c) => `\`${c}\``).join(', ')} with their runtime types; evaluates \`${p.expression.replace(/`/g, "'")}\`.\n\nWhy: ${p.reason}. ${p.risk.low ? 'Low risk.' : `Not low risk: ${p.risk.concerns.join('; ')}.`}${p.state === 'proposed' ? ' **Awaiting your approval.**' : ` (${p.state})`}\n\n`,
        ...(p.state === 'proposed'
          ? {
              buttons: [
                { command: 'runtruth.approveProposal', title: `Approve ${p.probeId}`, args: [p.probeId] },
                { command: 'runtruth.rejectProposal', title: `Reject ${p.probeId}`, args: [p.probeId] },
              ],
            }
          : {}),
      }));
    case 'decided':
      return [{ kind: 'progress', text: `${e.probeId} ${e.state === 'live' ? 'approved' : e.state}${e.decidedBy ? ` by ${e.decidedBy}` : ''}` }];
    case 'evidence': {
      const fresh = e.anomalies.filter((a) => !seenAnomalies.has(`${a.kind}|${a.file}:${a.line}|${a.expression}`));
      for (const a of fresh) seenAnomalies.add(`${a.kind}|${a.file}:${a.line}|${a.expression}`);
      return fresh.map((a) => ({ kind: 'markdown' as const, text: `⚠ **${a.kind}** at \`${a.file}:${a.line}\` in \`${a.expression}\`: ${a.detail}${a.examples[0] ? ` — e.g. \`${a.examples[0]}\`` : ''}\n\n` }));
    }
    case 'scores': {
      const top = e.scores.slice(0, 3).map((s) => `${s.hypothesisId} ${Math.round(s.share * 100)}% (${s.verdict})`);
      return [{ kind: 'scores', text: `Scores: ${top.join(', ')}\n\n` }];
    }
    case 'round':
      return [{ kind: 'progress', text: `Round ${e.round}: ${e.reason}` }];
    case 'note':
      return [{ kind: 'progress', text: e.text }];
    case 'finished':
      return [{ kind: 'markdown', text: `\n\n${e.reportMarkdown}` }];
  }
}
