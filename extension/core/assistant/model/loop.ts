import { generateText, hasToolCall, stepCountIs, type LanguageModel } from 'ai';
import { externalHypothesis } from '../hypotheses';
import { conclude, type Investigation } from '../investigator';
import { InvestigationSession, type SessionOptions } from '../session';
import { investigationTools, type ToolState } from './tools';

export interface ModelInvestigationOptions extends SessionOptions {
  /** Any `ai` SDK language model (OpenAI-compatible, Anthropic, VS Code's LM API wrapped as a provider, a mock). */
  model: LanguageModel;
  /** Model steps (each may call tools). Default 40. */
  maxSteps?: number;
  maxMinutes?: number;
  keepProbes?: boolean;
}

const SYSTEM = `You are Runtruth's SRE assistant investigating a production question about a Node.js service.
Work from evidence, never guesses:
1. Look at the deployment history, the commits in the window and the code the question is about.
2. State hypotheses explicitly (update_hypotheses): a claim, the suspect commit(s), suspect file:line locations, and the runtime observation that would confirm it.
3. Propose probes (propose_probe) that would tell the hypotheses apart: at the lines where the behaviour is decided and at the suspect commits' changed lines, capturing the values those lines read. Every probe is a proposal a person approves; probes are read-only.
4. Wait for evidence (wait_for_evidence), read the anomalies, and check get_scores: Runtruth computes the scores, you do not.
5. When a hypothesis is confirmed by evidence on the executed path, or you cannot learn more, call finish with a short summary.`;

/**
 * The model-driven investigator: the same session and tools as the built-in one, the model choosing the
 * steps. The scorer stays Runtruth's; the report is written from the session's evidence, not the model's text.
 */
export async function runModelInvestigation(options: ModelInvestigationOptions): Promise<Investigation> {
  const session = await InvestigationSession.open(options);
  let concluded = false;
  try {
    const state: ToolState = { deadline: session.startedAt + (options.maxMinutes ?? 5) * 60_000 };
    session.setHypotheses([externalHypothesis()]);
    const { code } = session;
    const prompt = [
      `Question: ${options.question}`,
      `Service: ${session.service}; deployed ${code.deployed}${code.previous ? `, previous deploy ${code.previous}` : ''}.`,
      `Window: ${code.window}.`,
      ...(options.incident ? [`Incident ${options.incident.id} ("${options.incident.title}") began ${options.incidentAt?.toISOString() ?? 'at an unknown time'}.`] : []),
      `Code the question's words match: ${code.searchHits.slice(0, 5).map((h) => `${h.file} (${h.terms.join(', ')})`).join('; ') || 'nothing'}.`,
      `Hypothesis h0 (nothing in the window explains it) is already on the list.`,
    ].join('\n');
    await generateText({
      model: options.model,
      system: SYSTEM,
      prompt,
      tools: investigationTools(session, state),
      stopWhen: [stepCountIs(options.maxSteps ?? 40), hasToolCall('finish')],
      ...(options.signal ? { abortSignal: options.signal } : {}),
    });
    if (!state.finished) session.note('the model stopped without calling finish; the report is written from the evidence gathered');
    else session.note(`model's summary: ${state.finished.summary}`);
    const done = await conclude(session, 'model', session.now() >= state.deadline, options.keepProbes ?? false, state.waits ?? 0);
    concluded = true;
    return done;
  } finally {
    if (!concluded && !options.keepProbes) await session.removeProbes().catch(() => undefined);
    await session.close();
  }
}
