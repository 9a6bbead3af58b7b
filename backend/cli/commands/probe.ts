import { NewProbe, ProbeStatus, ProbeView, selectorMatches } from '../../protocol';
import type { RelayClient } from '../../client/relayClient';
import { connectionOptions, parse, parseDuration, parseIntArg, parseLabels, resolveConnection, UsageError } from '../args';
import { formatProbe, summariseStatuses } from '../output';
import { withClient } from '../session';
import { ProbeFailedError, settleStatuses } from '../settle';

export const help = `runtruth probe add --service NAME --file PATH --line N
                    (--log "TEMPLATE {expr}" [--stdout]
                     | --snapshot [--watch EXPR]... [--limit depth=3,fields=20,...]
                     | --metric count | --metric value --expr EXPR | --metric duration [--end-line N])
                    [--condition EXPR] [--max-hits N] [--rate N/s] [--ttl 1h] [--labels k=v]
                    [--content-hash SHA256] [--pending] [--wait MS] [--json] [--ai]
runtruth probe list [--service NAME] [--json]
runtruth probe rm ID [--json]
runtruth probe approve ID [--json]
runtruth probe reject ID [--reason TEXT] [--json]
  A logpoint renders TEMPLATE each time the line runs, never pausing the program. A snapshot captures the
  stack and the top frames' locals (and each --watch) once (--max-hits for more, at most --rate per second).
  A metric counts hits, summarises a numeric --expr, or times line→--end-line (default: until the enclosing
  function returns), flushed every few seconds. --file matches the end of the running script's path, or of an
  original source through source maps (src/app.ts). Without --pending, a probe that no running instance can place is removed again
  and the command fails with the reason. Probes from AI tokens (or --ai: an assistant acting on your token)
  are PROPOSED: nothing reaches the service until a person runs \`probe approve\` (or rejects them).`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'add') return add(rest);
  if (sub === 'list' || sub === 'ls') return list(rest);
  if (sub === 'rm' || sub === 'remove') return remove(rest);
  if (sub === 'approve') return approve(rest);
  if (sub === 'reject') return reject(rest);
  throw new UsageError(`unknown 'probe' subcommand '${sub ?? ''}' (add, list, rm, approve, reject)`);
}

async function add(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...connectionOptions,
    service: { type: 'string' },
    file: { type: 'string' },
    line: { type: 'string' },
    log: { type: 'string' },
    snapshot: { type: 'boolean' },
    watch: { type: 'string', multiple: true },
    limit: { type: 'string' },
    metric: { type: 'string' },
    expr: { type: 'string' },
    'end-line': { type: 'string' },
    'content-hash': { type: 'string' },
    condition: { type: 'string' },
    'max-hits': { type: 'string' },
    rate: { type: 'string' },
    ttl: { type: 'string' },
    labels: { type: 'string' },
    stdout: { type: 'boolean' },
    pending: { type: 'boolean' },
    wait: { type: 'string' },
    ai: { type: 'boolean' },
  });
  if (!values.service) throw new UsageError('--service is required');
  if (!values.file) throw new UsageError('--file is required');
  const line = parseIntArg('line', values.line);
  if (line === undefined) throw new UsageError('--line is required');
  const what = probeKind(values);
  const rate = values.rate === undefined ? undefined : Number(values.rate.replace(/\/s$/, ''));
  if (rate !== undefined && !(rate > 0)) throw new UsageError(`--rate must be a positive number of hits per second, got '${values.rate}'`);
  const waitMs = parseIntArg('wait', values.wait ?? '5000', 0)!;

  return withClient(resolveConnection(values), async (client) => {
    const statuses = new Map<string, ProbeStatus[]>();
    const off = client.onStatus((probeId, s) => statuses.set(probeId, s)); // listen before adding: no lost updates
    const view = await client.request('probe.add', {
      allowPending: values.pending ?? false,
      ...(values.ai ? { origin: 'ai' as const } : {}),
      probe: {
        ...what,
        selector: { service: values.service!, ...(values.labels ? { labels: parseLabels(values.labels) } : {}) },
        file: values.file!,
        line,
        ...(values.condition ? { condition: values.condition } : {}),
        ...(values['max-hits'] ? { maxHits: parseIntArg('max-hits', values['max-hits']) } : {}),
        ...(rate ? { maxPerSecond: rate } : {}),
        ...(values.ttl ? { ttlSeconds: parseDuration('ttl', values.ttl) } : {}),
        ...(values['content-hash'] ? { contentHash: values['content-hash'].toLowerCase() } : {}),
      } as NewProbe,
    });
    if (view.state === 'proposed') {
      off();
      if (values.json) console.log(JSON.stringify({ id: view.probe.id, ...view }));
      else console.log(`${view.probe.id}  ${values.file}:${line}  proposed: nothing runs until a person approves it (runtruth probe approve ${view.probe.id})`);
      return 0;
    }
    const expected = await connectedInstances(client, view);
    let settled: ProbeStatus[];
    try {
      settled = await settleStatuses(view.probe.id, expected, () => statuses.get(view.probe.id) ?? [], waitMs, !!values.pending);
    } catch (e) {
      if (e instanceof ProbeFailedError) await client.request('probe.remove', { probeId: view.probe.id }).catch(() => undefined);
      throw e;
    } finally {
      off();
    }
    const result: ProbeView = { probe: view.probe, statuses: settled };
    if (values.json) console.log(JSON.stringify({ id: view.probe.id, ...result }));
    else {
      const note = expected.length ? summariseStatuses(settled) : `no instance of ${values.service} is connected; it binds when one attaches`;
      console.log(`${view.probe.id}  ${values.file}:${line}  ${note}`);
    }
    return 0;
  });
}

type KindFields =
  | { kind: 'log'; template: string; stdout?: true }
  | { kind: 'snapshot'; watches?: string[]; limits?: Record<string, number> }
  | { kind: 'metric'; metric: 'count' | 'value' | 'duration'; expression?: string; endLine?: number };

/** The kind-specific part of the probe, from exactly one of --log, --snapshot and --metric. */
function probeKind(values: {
  log?: string;
  stdout?: boolean;
  snapshot?: boolean;
  watch?: string[];
  limit?: string;
  metric?: string;
  expr?: string;
  'end-line'?: string;
}): KindFields {
  const chosen = [values.log !== undefined && '--log', values.snapshot && '--snapshot', values.metric !== undefined && '--metric'].filter(Boolean);
  if (chosen.length !== 1) throw new UsageError(chosen.length ? `choose one of ${chosen.join(', ')}` : 'one of --log "TEMPLATE", --snapshot or --metric count|value|duration is required');
  const misplaced = (flag: string, ok: boolean) => {
    if (!ok) throw new UsageError(`${flag} does not apply to this kind of probe`);
  };
  misplaced('--stdout', !values.stdout || values.log !== undefined);
  misplaced('--watch', !values.watch || !!values.snapshot);
  misplaced('--limit', values.limit === undefined || !!values.snapshot);
  misplaced('--expr', values.expr === undefined || values.metric === 'value');
  misplaced('--end-line', values['end-line'] === undefined || values.metric === 'duration');
  if (values.log !== undefined) return { kind: 'log', template: values.log, ...(values.stdout ? { stdout: true } : {}) };
  if (values.snapshot) return { kind: 'snapshot', ...(values.watch?.length ? { watches: values.watch } : {}), ...(values.limit ? { limits: parseLimits(values.limit) } : {}) };
  const metric = values.metric;
  if (metric !== 'count' && metric !== 'value' && metric !== 'duration') throw new UsageError(`--metric takes count, value or duration, got '${metric}'`);
  if (metric === 'value' && !values.expr) throw new UsageError('--metric value needs --expr EXPR (the number to summarise)');
  const endLine = parseIntArg('end-line', values['end-line']);
  return { kind: 'metric', metric, ...(values.expr ? { expression: values.expr } : {}), ...(endLine !== undefined ? { endLine } : {}) };
}

/** `depth=2,fields=10` → { depth: 2, fields: 10 } (the relay checks names and ranges). */
function parseLimits(raw: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of raw.split(',').filter(Boolean)) {
    const m = /^\s*(\w+)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m) throw new UsageError(`--limit takes name=N pairs separated by commas (maxFrames, expandFrames, depth, collectionItems, fields, stringLength, maxBytes), got '${part}'`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** The instance ids that should report on this probe: connected instances its selector matches. */
async function connectedInstances(client: RelayClient, view: ProbeView): Promise<string[]> {
  const { services } = await client.request('services.list', {});
  return services
    .flatMap((s) => s.instances)
    .filter((i) => i.connected && selectorMatches(view.probe.selector, i))
    .map((i) => i.instanceId);
}

async function list(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...connectionOptions, service: { type: 'string' } });
  return withClient(resolveConnection(values), async (client) => {
    const { probes } = await client.request('probe.list', values.service ? { service: values.service } : {});
    if (values.json) for (const p of probes) console.log(JSON.stringify({ id: p.probe.id, ...p }));
    else if (!probes.length) console.log('no live probes');
    else for (const p of probes) console.log(formatProbe(p));
    return 0;
  });
}

async function remove(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, connectionOptions, true);
  if (positionals.length !== 1) throw new UsageError('usage: runtruth probe rm ID');
  return withClient(resolveConnection(values), async (client) => {
    const r = await client.request('probe.remove', { probeId: positionals[0]! });
    if (values.json) console.log(JSON.stringify(r));
    else console.log(`${r.probeId} removed`);
    return 0;
  });
}

async function approve(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, connectionOptions, true);
  if (positionals.length !== 1) throw new UsageError('usage: runtruth probe approve ID');
  return withClient(resolveConnection(values), async (client) => {
    const view = await client.request('probe.approve', { probeId: positionals[0]! });
    console.log(values.json ? JSON.stringify({ id: view.probe.id, ...view }) : `${view.probe.id} approved: live until ${view.probe.expiresAt}`);
    return 0;
  });
}

async function reject(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...connectionOptions, reason: { type: 'string' } }, true);
  if (positionals.length !== 1) throw new UsageError('usage: runtruth probe reject ID [--reason TEXT]');
  return withClient(resolveConnection(values), async (client) => {
    const view = await client.request('probe.reject', { probeId: positionals[0]!, ...(values.reason ? { reason: values.reason } : {}) });
    console.log(values.json ? JSON.stringify({ id: view.probe.id, ...view }) : `${view.probe.id} rejected`);
    return 0;
  });
}
