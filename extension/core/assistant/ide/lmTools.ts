import { z } from 'zod';
import { formatMetric, formatSnapshot } from '../../../../backend/cli/evidenceText';
import type { Evidence, NewProbe } from '../../../../backend/protocol';
import { ProbeId, ServiceName, SourcePosition } from '../../../../backend/protocol/probe';
import { conditionProblem, templateProblem } from '../../templateCheck';
import { assessRisk } from '../approval';
import type { RelayLike } from '../runtime';

/**
 * Runtruth as Language Model Tools for Copilot's agent mode (and any chat participant): list services, propose
 * a read-only probe (always a proposal a person approves), read evidence, run an investigation. Inputs are
 * validated with zod; the JSON schemas in package.json `contributes.languageModelTools` are generated from the
 * same zod schemas (a unit test keeps them equal). No `vscode` here: the editor edge registers them.
 */

export const ListServicesInput = z.object({}).strict();
export const ProposeProbeInput = z
  .object({
    service: ServiceName.describe('The service to probe (see runtruth_list_services).'),
    file: SourcePosition.shape.file.describe('Path of the source file relative to the service root, e.g. src/validation.ts.'),
    line: SourcePosition.shape.line.describe('1-based line number.'),
    template: z.string().min(1).max(500).describe('What to log on each hit: text with {expression} parts, e.g. "notional={order.notional} ({typeof order.notional})". Expressions must be read-only.'),
    condition: z.string().min(1).max(500).optional().describe('Optional read-only condition; the probe fires only when it is truthy.'),
    reason: z.string().min(1).max(500).describe('Why this probe is needed (shown to the person who approves it).'),
  })
  .strict();
export const GetEvidenceInput = z
  .object({
    probeId: ProbeId.describe('The probe whose evidence to read.'),
    limit: z.int().min(1).max(200).default(20).describe('How many items, newest last.'),
  })
  .strict();
export const InvestigateInput = z
  .object({
    question: z.string().min(3).max(2000).describe('The production question, e.g. "Why are high-value trades no longer flagged since the last deploy?"'),
    service: ServiceName.optional().describe('The service; default: chosen from the question.'),
  })
  .strict();

export const TOOL_INPUTS = {
  runtruth_list_services: ListServicesInput,
  runtruth_propose_probe: ProposeProbeInput,
  runtruth_get_evidence: GetEvidenceInput,
  runtruth_investigate: InvestigateInput,
} as const;
export type ToolName = keyof typeof TOOL_INPUTS;

/** The JSON schema a tool declares (package.json must carry exactly this). */
export function toolJsonSchema(name: ToolName): object {
  const schema = z.toJSONSchema(TOOL_INPUTS[name], { io: 'input' }) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}

/** A tool's input was rejected: the message goes back to the model so it can fix the call. */
export class ToolInputError extends Error {
  override name = 'ToolInputError';
}

export interface ToolDeps {
  session(): RelayLike;
  /** Runs an investigation (shown in the Investigation view) and resolves with its Markdown report. */
  investigate(question: string, service?: string): Promise<string>;
}

/** Validates and runs one tool; resolves with the text the model reads. */
export async function invokeTool(name: ToolName, raw: unknown, deps: ToolDeps): Promise<string> {
  const parsed = TOOL_INPUTS[name].safeParse(raw ?? {});
  if (!parsed.success) throw new ToolInputError(`invalid input for ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
  switch (name) {
    case 'runtruth_list_services':
      return listServices(deps);
    case 'runtruth_propose_probe':
      return proposeProbe(parsed.data as z.infer<typeof ProposeProbeInput>, deps);
    case 'runtruth_get_evidence':
      return getEvidence(parsed.data as z.infer<typeof GetEvidenceInput>, deps);
    case 'runtruth_investigate': {
      const input = parsed.data as z.infer<typeof InvestigateInput>;
      return deps.investigate(input.question, input.service);
    }
  }
}

async function listServices(deps: ToolDeps): Promise<string> {
  const { services } = await deps.session().request('services.list', {});
  if (!services.length) return 'No services are connected to the relay.';
  return services
    .map((s) => {
      const lines = s.instances.map((i) => `  - ${i.instanceId}: ${i.connected ? 'connected' : 'disconnected'}, pid ${i.pid}, started ${i.startedAt}${i.commit ? `, commit ${i.commit.slice(0, 8)}` : ''}`);
      return [`- ${s.service} (${s.instances.filter((i) => i.connected).length}/${s.instances.length} live)`, ...lines].join('\n');
    })
    .join('\n');
}

async function proposeProbe(input: z.infer<typeof ProposeProbeInput>, deps: ToolDeps): Promise<string> {
  const problem = templateProblem(input.template) ?? (input.condition ? conditionProblem(input.condition) : undefined);
  if (problem) throw new ToolInputError(problem);
  const probe: NewProbe = {
    kind: 'log',
    selector: { service: input.service },
    file: input.file,
    line: input.line,
    template: input.template,
    ...(input.condition ? { condition: input.condition } : {}),
    maxHits: 200,
    maxPerSecond: 20,
    ttlSeconds: 900,
  };
  const view = await deps.session().request('probe.add', { probe, origin: 'ai' });
  const risk = assessRisk(probe, [input.template]);
  const state = view.state ?? 'live';
  return [
    `Probe ${view.probe.id} at ${input.file}:${input.line} logs "${input.template}" (≤200 hits, ≤20/s, 15 min).`,
    state === 'proposed' ? 'It is a proposal: a person must approve it (Runtruth: Approve Proposal, or the Investigation view) before anything is captured.' : `State: ${state}.`,
    risk.low ? 'Risk: low.' : `Risk: ${risk.concerns.join('; ')}.`,
    `Why (shown to the approver): ${input.reason}`,
    `Read its evidence with runtruth_get_evidence { "probeId": "${view.probe.id}" }.`,
  ].join('\n');
}

async function getEvidence(input: z.infer<typeof GetEvidenceInput>, deps: ToolDeps): Promise<string> {
  const page = await deps.session().request('evidence.query', { probeId: input.probeId, limit: 10_000 });
  const items = page.items.filter((e) => e.kind !== 'gap').slice(-input.limit);
  if (!items.length) return `No evidence for ${input.probeId} yet (is it approved and is traffic reaching the line?).`;
  return items.map(evidenceLine).join('\n');
}

export function evidenceLine(e: Evidence): string {
  const where = 'instance' in e && e.instance ? `[${e.instance}] ` : '';
  if (e.kind === 'log') return `${e.at ?? ''} ${where}${e.message}`.trim();
  if (e.kind === 'snapshot') return `${where}${formatSnapshot(e)}`;
  if (e.kind === 'metric') return `${where}${formatMetric(e)}`;
  return JSON.stringify(e);
}
