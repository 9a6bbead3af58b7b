import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline/promises';
// the modules, not the assistant's index: the CLI should not load the model SDK for a command that needs none
import { externalApprover, interactiveApprover, lowRiskApprover, type Approver } from '../../../extension/core/assistant/approval';
import type { InvestigationEvent } from '../../../extension/core/assistant/events';
import { investigate, type InvestigateOptions } from '../../../extension/core/assistant/investigator';
import { incidentContext } from '../../../extension/core/assistant/incidents';
import { ModelSpecError, resolveModel, type ResolvedModel } from '../../../extension/core/assistant/model/providers';
import { relayRuntime } from '../../../extension/core/assistant/runtime';
import { IncidentId } from '../../protocol';
import { connectionOptions, parse, parseIntArg, resolveConnection, UsageError } from '../args';
import { withClient } from '../session';

export const help = `runtruth investigate "QUESTION" | --incident ID [--service NAME] [--repo DIR] [--approve-low-risk] [--json]
                    [--max-minutes 5] [--min-hits 5] [--incident-start ISO-TIME] [--keep-probes]
                    [--report FILE] [--probe-kind log|snapshot] [--model SPEC]
  Investigates a question about a running service with the built-in investigator (no model needed): the
  question's words → the code they match → the commits deployed since the previous deploy that touch it and
  its request path → one hypothesis per commit → read-only probes that tell them apart → evidence → scores
  (explained, deterministic) → a Markdown RCA report.
  Every probe is PROPOSED: --approve-low-risk approves low-risk ones with your token (small limits, read-only
  values, nothing that looks secret); on a terminal you are asked for each; otherwise someone approves them
  (runtruth probe approve ID, or VS Code) while the investigation waits.
  --incident ID starts from an alert the relay received (runtruth incidents): its summary and description are
  the question (unless you give one), its service label picks the service, its start time anchors the timeline.
  --repo is the service's git repository (default: the current directory). --json prints the result and the
  report as one JSON object. Exit code 0: a culprit was confirmed; 3: undetermined (the report says why).
  --model lets a model drive the same loop through Runtruth's tools (the scores stay Runtruth's):
    openai:gpt-4o                     key from OPENAI_API_KEY
    anthropic:claude-sonnet-4-5       key from ANTHROPIC_API_KEY
    openai-compatible:URL#MODEL       Ollama, vLLM, LM Studio, e.g. openai-compatible:http://127.0.0.1:11434/v1#llama3.1
  RUNTRUTH_MODEL_KEY overrides the key for any of them; keys are never printed.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      ...connectionOptions,
      service: { type: 'string' },
      repo: { type: 'string' },
      'approve-low-risk': { type: 'boolean' },
      'max-minutes': { type: 'string' },
      'min-hits': { type: 'string' },
      'incident-start': { type: 'string' },
      'keep-probes': { type: 'boolean' },
      report: { type: 'string' },
      'probe-kind': { type: 'string' },
      model: { type: 'string' },
      incident: { type: 'string' },
    },
    true,
  );
  const asked = positionals.join(' ').trim();
  const incidentId = values.incident;
  if (!asked && !incidentId) throw new UsageError('give the question to investigate, e.g. runtruth investigate "why are high-value trades not flagged?", or --incident ID');
  if (incidentId !== undefined && !IncidentId.safeParse(incidentId).success) throw new UsageError(`--incident takes an incident id like inc-3 (see runtruth incidents), got '${incidentId}'`);
  if (incidentId !== undefined && values['incident-start'] !== undefined) throw new UsageError('--incident-start comes from the incident; give one or the other');
  const givenStart = values['incident-start'] === undefined ? undefined : new Date(values['incident-start']);
  if (givenStart && Number.isNaN(givenStart.getTime())) throw new UsageError(`--incident-start must be an ISO time, got '${values['incident-start']}'`);
  const kind = values['probe-kind'] ?? 'log';
  if (kind !== 'log' && kind !== 'snapshot') throw new UsageError(`--probe-kind is log or snapshot, got '${kind}'`);
  const maxMinutes = parseIntArg('max-minutes', values['max-minutes'] ?? '5')!;
  const minHits = parseIntArg('min-hits', values['min-hits'] ?? '5')!;
  const json = values.json ?? false;
  // a bad spec or a missing key fails here, before the relay is contacted or any probe proposed
  let model: ResolvedModel | undefined;
  try {
    model = values.model === undefined ? undefined : await resolveModel(values.model);
  } catch (e) {
    throw e instanceof ModelSpecError ? new UsageError(`--model: ${e.message}`) : e;
  }
  const print = json ? () => undefined : (line: string) => console.log(line);

  return withClient(resolveConnection(values), async (client) => {
    if (values['approve-low-risk'] && client.identity.ai) throw new UsageError(`--approve-low-risk needs a person's token: ${client.identity.name} is an AI token (a person approves its proposals)`);
    // the alert as context: its words are the question, its labels the service, its start the timeline's anchor
    const alert = incidentId ? incidentContext(await client.request('incidents.get', { incidentId }), { ...(asked ? { question: asked } : {}), services: (await client.request('services.list', {})).services }) : undefined;
    const question = alert?.question ?? asked;
    const incidentAt = alert?.incidentAt ?? givenStart;
    const service = values.service ?? alert?.service;
    let prompt: readline.Interface | undefined;
    let approver: Approver = externalApprover;
    if (values['approve-low-risk']) approver = lowRiskApprover(client, (line) => print(`  ! ${line}`));
    else if (process.stdin.isTTY && !json && !client.identity.ai) {
      prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
      approver = interactiveApprover(client, (q) => prompt!.question(`  ? ${q}`));
    }
    // Ctrl-C stops waiting and concludes: probes are removed and the report says what was left undetermined
    const stop = new AbortController();
    const onSigint = () => stop.abort();
    process.once('SIGINT', onSigint);
    try {
      if (alert) print(`» incident ${alert.incident.id}: ${alert.incident.title} (since ${alert.incidentAt.toISOString()})`);
      for (const note of alert?.notes ?? []) print(`  note: ${note}`);
      print(`» investigating: ${question}`);
      print(`» probes are proposals; ${approver.describe}`);
      if (model) print(`» model: ${model.label}`);
      const options: InvestigateOptions = {
        question,
        repo: path.resolve(values.repo ?? '.'),
        runtime: relayRuntime(client),
        approver,
        maxMinutes,
        minHits,
        probeKind: kind,
        keepProbes: values['keep-probes'] ?? false,
        ...(service ? { service } : {}),
        ...(alert ? { incident: alert.incident } : {}),
        ...(incidentAt ? { incidentAt } : {}),
        onEvent: (e) => describe(e).forEach((l) => print(l)),
        signal: stop.signal,
      };
      // the model loop loads the ai SDK: only when asked for
      const { result, report } = model ? await (await import('../../../extension/core/assistant/model/loop')).runModelInvestigation({ ...options, model: model.model }) : await investigate(options);
      if (values.report) fs.writeFileSync(values.report, report);
      if (json) console.log(JSON.stringify({ result, report }));
      else {
        print('');
        print(values.report ? `» report written to ${values.report}` : report);
      }
      return result.status === 'confirmed' ? 0 : 3;
    } finally {
      process.removeListener('SIGINT', onSigint);
      prompt?.close();
    }
  });
}

/** Step-by-step lines for a person watching the investigation. */
export function describe(e: InvestigationEvent): string[] {
  switch (e.type) {
    case 'context':
      return [`» ${e.service}: deployed ${e.deployed.slice(0, 8)}${e.previous ? ` (previously ${e.previous.slice(0, 8)})` : ''}; ${e.window}`, `» the question points at: ${e.searched.join('; ') || 'nothing in the code'}`];
    case 'hypotheses':
      return [`» ${e.hypotheses.length} hypotheses:`, ...e.hypotheses.map((h) => `  ${h.id}  ${h.claim}`)];
    case 'round':
      return [`» round ${e.round}: ${e.reason}`];
    case 'proposed':
      return e.proposals.map((p) => `  proposed ${p.probeId} ${p.summary}${p.state === 'proposed' ? '' : ` [${p.state}]`}\n    why: ${p.reason}`);
    case 'decided': {
      const what = { live: 'approved', rejected: 'rejected', ended: 'removed', failed: 'failed', proposed: 'proposed', planned: 'planned' }[e.state];
      return [`  ${e.probeId} ${what}${e.decidedBy && (e.state === 'live' || e.state === 'rejected') ? ` by ${e.decidedBy}` : ''}${e.reason ? `: ${e.reason}` : ''}`];
    }
    case 'evidence': {
      const values = Object.entries(e.latest.values).map(([k, v]) => `${k}=${v.type === 'string' ? JSON.stringify(v.text) : v.text}:${v.type}`);
      const flags = e.anomalies.length ? `  ⚠ ${e.anomalies.map((a) => a.kind).join(', ')}` : '';
      return e.observations <= 3 || e.observations % 10 === 0 ? [`  evidence ${e.file}:${e.line} #${e.observations}  ${values.join('  ')}${flags}`] : [];
    }
    case 'scores':
      return [`» scores: ${e.scores.slice(0, 4).map((s) => `${s.hypothesisId} ${Math.round(s.share * 100)}% (${s.verdict})`).join(', ')}`];
    case 'note':
      return [`  note: ${e.text}`];
    case 'finished':
      return [`» ${e.status}${e.culprit ? `: culprit ${e.culprit.slice(0, 8)}` : ''}`];
  }
}
