import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { RuntruthError, type NewProbe, type ProbeView } from '../protocol';
import type { EndedProbes, RelayCaller } from './caller';
import { bounded, evidenceText, probesText, servicesText, statusText } from './format';
import { GetEvidenceInput, ListProbesInput, ListServicesInput, ProbeIdInput, ProbeOutput, ProposeLogpointInput, ProposeMetricInput, ProposeSnapshotInput, ttlSeconds } from './inputs';

export const MCP_SERVER_NAME = 'runtruth';

const INSTRUCTIONS = `Runtruth shows what running Node.js services actually do, without changing them: logpoints (a message with values, on every hit of a line), snapshots (the stack and local variables when a line runs) and metrics (hit counts, value summaries, durations), placed in live processes without a redeploy.
Start with list_services (instances, deployed commit) and list_probes. Probes you propose wait for a person to approve them (unless the relay's policy auto-approves): follow them with get_proposal_status, then read results with get_evidence. Probes are read-only and short-lived; remove the ones you no longer need with remove_probe.`;

export interface ToolsOptions {
  caller: RelayCaller;
  /** Ended probes this session saw (from probe.state pushes), for get_proposal_status. */
  ended: EndedProbes;
  version: string;
}

/** The Runtruth MCP server: one tool set, whatever the transport (stdio bridge or the relay's /mcp). */
export function createRuntruthMcpServer(opts: ToolsOptions): McpServer {
  const server = new McpServer({ name: MCP_SERVER_NAME, version: opts.version }, { instructions: INSTRUCTIONS, capabilities: { tools: {} } });
  registerTools(server, opts);
  return server;
}

function registerTools(server: McpServer, { caller, ended }: ToolsOptions): void {
  const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

  server.registerTool(
    'list_services',
    { title: 'List services', description: 'Services connected to the relay with their instances: connected or not, deployed git commit, start time, Node version, labels.', inputSchema: ListServicesInput, annotations: readOnly },
    ({ service }) =>
      guard(async () => {
        const { services } = await caller.call('services.list', {});
        return text(servicesText(service === undefined ? services : services.filter((s) => s.service === service)));
      }),
  );

  server.registerTool(
    'list_probes',
    { title: 'List probes', description: 'Open probes: proposals waiting for approval and live probes, with how each instance holds them and their hit counts.', inputSchema: ListProbesInput, annotations: readOnly },
    ({ service, state }) =>
      guard(async () => {
        const { probes } = await caller.call('probe.list', service === undefined ? {} : { service });
        return text(probesText(state === undefined ? probes : probes.filter((p) => (p.state ?? 'live') === state)));
      }),
  );

  const propose = (description: string) => ({ description, outputSchema: ProbeOutput, annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false } });
  server.registerTool('propose_logpoint', { title: 'Propose a logpoint', inputSchema: ProposeLogpointInput, ...propose('Proposes a logpoint: a message logged with live values each time a line runs, never pausing the program. Returns the probe id; a person approves it before it runs.') }, (input) =>
    guard(() => addProbe(caller, { kind: 'log', ...common(input), template: input.message })),
  );
  server.registerTool('propose_snapshot', { title: 'Propose a snapshot', inputSchema: ProposeSnapshotInput, ...propose('Proposes a snapshot: the call stack and the local variables of the top frames (plus any watch expressions) captured when a line runs, by default once. Returns the probe id; a person approves it before it runs.') }, (input) =>
    guard(() => addProbe(caller, { kind: 'snapshot', ...common(input), ...(input.watches ? { watches: input.watches } : {}) })),
  );
  server.registerTool('propose_metric', { title: 'Propose a metric', inputSchema: ProposeMetricInput, ...propose('Proposes a metric at a line: a hit count, a summary of a numeric expression, or a duration, aggregated in the process and reported every few seconds. Returns the probe id; a person approves it before it runs.') }, (input) =>
    guard(() =>
      addProbe(caller, {
        kind: 'metric',
        ...common(input),
        metric: input.metric,
        ...(input.expression === undefined ? {} : { expression: input.expression }),
        ...(input.endLine === undefined ? {} : { endLine: input.endLine }),
      }),
    ),
  );

  server.registerTool(
    'get_proposal_status',
    { title: 'Get a probe\'s status', description: 'Where a proposed or live probe stands: waiting for approval, approved, rejected (and why), removed or expired; and for a live probe, whether each instance bound it (or why not) and its hits.', inputSchema: ProbeIdInput, outputSchema: ProbeOutput, annotations: readOnly },
    ({ probeId }) =>
      guard(async () => {
        const { probes } = await caller.call('probe.list', {});
        const view = probes.find((p) => p.probe.id === probeId) ?? ended.get(probeId);
        if (!view) throw new RuntruthError('not_found', `no open probe '${probeId}' (it may have ended before this session started; list_probes shows the open ones)`);
        return probeResult(statusText(view), view);
      }),
  );

  server.registerTool(
    'get_evidence',
    { title: 'Get evidence', description: 'What probes captured, oldest first: log lines, snapshots as compact trees of values, metric windows as summaries. Bounded by limit and maxChars; the answer ends with a `next` cursor to pass as `since`.', inputSchema: GetEvidenceInput, annotations: readOnly },
    ({ probeId, service, since, limit, maxChars }) =>
      guard(async () => {
        if (probeId === undefined && service === undefined) throw new RuntruthError('bad_message', 'give a probeId or a service');
        const { items, lastId } = await caller.call('evidence.query', { ...(probeId ? { probeId } : {}), ...(service ? { service } : {}), ...(since === undefined ? {} : { afterId: since }), limit });
        const after = since ?? 0;
        if (!items.length) return text(`No evidence${probeId ? ` for ${probeId}` : ` for ${service}`} after #${after} yet. If the probe is proposed it has not run; get_proposal_status says where it stands.`);
        const lines: string[] = [];
        let used = 0;
        let cursor = after;
        for (const item of items) {
          const line = clip(evidenceText(item), maxChars - 300); // one huge item must not crowd out the cursor
          if (lines.length && used + line.length + 1 > maxChars - 200) break;
          lines.push(line);
          used += line.length + 1;
          if (item.id !== undefined) cursor = item.id;
        }
        // a full page may have more behind it; a short page shown whole is everything stored so far
        const shownAll = lines.length === items.length;
        const footer = shownAll && items.length < limit ? `next: ${Math.max(cursor, lastId)} (no more items yet)` : `next: ${cursor} (more items: call again with since=${cursor})`;
        return text(bounded([`${lines.length} item(s):`, ...lines, footer], maxChars));
      }),
  );

  server.registerTool(
    'remove_probe',
    { title: 'Remove a probe', description: 'Removes a live probe, or withdraws a proposal; it stops running in every instance.', inputSchema: ProbeIdInput, annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false } },
    ({ probeId }) =>
      guard(async () => {
        const { removed } = await caller.call('probe.remove', { probeId });
        return text(removed ? `Removed ${probeId}.` : `${probeId} had already ended (rejected, removed or expired).`);
      }),
  );
}

type Common = { service: string; labels?: Record<string, string>; file: string; line: number; condition?: string; ttl?: string; maxHits?: number; allowPending?: boolean };

function common(input: Common) {
  return {
    selector: { service: input.service, ...(input.labels ? { labels: input.labels } : {}) },
    file: input.file,
    line: input.line,
    ...(input.condition === undefined ? {} : { condition: input.condition }),
    ...(input.ttl === undefined ? {} : { ttlSeconds: ttlSeconds(input.ttl) }),
    ...(input.maxHits === undefined ? {} : { maxHits: input.maxHits }),
    ...(input.allowPending ? { allowPending: true } : {}),
  };
}

/** Every probe an MCP client asks for is an AI proposal: it waits for a person unless the policy auto-approves it. */
async function addProbe(caller: RelayCaller, request: ReturnType<typeof common> & Record<string, unknown>): Promise<CallToolResult> {
  const { allowPending, ...probe } = request;
  const view = await caller.call('probe.add', { probe: probe as NewProbe, origin: 'ai', ...(allowPending ? { allowPending: true } : {}) });
  const id = view.probe.id;
  const next =
    view.state === 'proposed'
      ? `Proposed ${id}: a person must approve it before it runs (it lapses if nobody decides by ${view.probe.expiresAt}). Follow it with get_proposal_status {"probeId":"${id}"}.`
      : `Placed ${id} (${view.approval?.decision === 'auto-approved' ? 'auto-approved by the relay policy' : 'live'}). Read its results with get_evidence {"probeId":"${id}"}.`;
  return probeResult(`${next}\n${statusText(view)}`, view);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 40)}… (${text.length - max + 40} characters cut)`;
}

function probeResult(body: string, view: ProbeView): CallToolResult {
  return { content: [{ type: 'text', text: body }], structuredContent: { probeId: view.probe.id, state: view.state ?? 'live' } };
}

function text(body: string): CallToolResult {
  return { content: [{ type: 'text', text: body }] };
}

/** Failures become tool errors the model can act on: the wire code first, then the relay's sentence. */
async function guard(fn: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await fn();
  } catch (err) {
    return { content: [{ type: 'text', text: errorText(err) }], isError: true };
  }
}

export function errorText(err: unknown): string {
  if (err instanceof RuntruthError) return `${err.code}: ${err.message}`;
  if (err instanceof Error && err.name === 'RelayConnectionError') return `relay_unreachable: ${err.message}`;
  return `internal: ${err instanceof Error ? err.message : String(err)}`;
}
