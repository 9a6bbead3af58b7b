import fs from 'node:fs';
import { PolicyPatch, ProbeKind, type PolicyView } from '../../protocol';
import { connectionOptions, parse, parseDuration, parseIntArg, resolveConnection, UsageError } from '../args';
import { formatPolicy } from '../output';
import { withClient } from '../session';

export const help = `runtruth policy get [--json]
runtruth policy set [--max-ttl 2h] [--max-hits N] [--max-rate N] [--kinds operator=log,admin=log]
                    [--block GLOB]... [--auto-approve SERVICE:KIND]... [--redact REGEX]...
                    [--clear max-hits,max-rate,block,auto-approve,redact] [--from POLICY.json] [--json]
  The relay's probe policy, enforced for every client (set needs an admin token). Ceilings (--max-*) refuse
  probes above them and fill in probes that leave them out. --block refuses probes on matching files
  (\`**\` spans directories; a pattern matches at any directory boundary). --auto-approve lets AI proposals of
  a kind go live unapproved for a service (\`*\` for all). --redact names values agents must redact.
  Repeatable flags replace their whole list; --from FILE sets fields from JSON (e.g. an edited \`policy get --json\`).`;

const CLEARABLE = { 'max-hits': 'maxHits', 'max-rate': 'maxPerSecond', block: 'fileBlocklist', 'auto-approve': 'autoApprove', redact: 'redaction' } as const;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'get' || sub === 'show') return get(rest);
  if (sub === 'set') return set(rest);
  throw new UsageError(`unknown 'policy' subcommand '${sub ?? ''}' (get, set)`);
}

async function get(argv: string[]): Promise<number> {
  const { values } = parse(argv, connectionOptions);
  return withClient(resolveConnection(values), async (client) => {
    show(await client.request('policy.get', {}), values.json);
    return 0;
  });
}

async function set(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...connectionOptions,
    'max-ttl': { type: 'string' },
    'max-hits': { type: 'string' },
    'max-rate': { type: 'string' },
    kinds: { type: 'string' },
    block: { type: 'string', multiple: true },
    'auto-approve': { type: 'string', multiple: true },
    redact: { type: 'string', multiple: true },
    clear: { type: 'string' },
    from: { type: 'string' },
  });
  const patch: PolicyPatch = values.from ? readPolicyFile(values.from) : {};
  if (values['max-ttl']) patch.maxTtlSeconds = parseDuration('max-ttl', values['max-ttl']);
  if (values['max-hits']) patch.maxHits = parseIntArg('max-hits', values['max-hits']);
  if (values['max-rate']) {
    const rate = Number(values['max-rate'].replace(/\/s$/, ''));
    if (!(rate > 0)) throw new UsageError(`--max-rate must be a positive number of hits per second, got '${values['max-rate']}'`);
    patch.maxPerSecond = rate;
  }
  if (values.kinds) patch.allowedKinds = parseKinds(values.kinds);
  if (values.block) patch.fileBlocklist = values.block;
  if (values['auto-approve']) patch.autoApprove = values['auto-approve'].map(parseAutoApprove);
  if (values.redact) patch.redaction = values.redact;
  const clear: ('maxHits' | 'maxPerSecond')[] = [];
  for (const name of values.clear?.split(',').map((s) => s.trim()).filter(Boolean) ?? []) {
    const field = CLEARABLE[name as keyof typeof CLEARABLE];
    if (!field) throw new UsageError(`--clear takes ${Object.keys(CLEARABLE).join(', ')}; got '${name}'`);
    if (field === 'maxHits' || field === 'maxPerSecond') clear.push(field);
    else patch[field] = [];
  }
  if (Object.keys(patch).length === 0 && clear.length === 0) throw new UsageError('nothing to set: give at least one option');
  return withClient(resolveConnection(values), async (client) => {
    show(await client.request('policy.set', { policy: patch, ...(clear.length ? { clear } : {}) }), values.json);
    return 0;
  });
}

function show(view: PolicyView, json: boolean | undefined): void {
  if (json) console.log(JSON.stringify(view));
  else for (const line of formatPolicy(view)) console.log(line);
}

/** `operator=log,admin=log` → allowedKinds (roles not named keep nothing: the flag states the whole rule). */
function parseKinds(raw: string): NonNullable<PolicyPatch['allowedKinds']> {
  const kinds: NonNullable<PolicyPatch['allowedKinds']> = { operator: [], admin: [] };
  for (const part of raw.split(',').filter(Boolean)) {
    const [role, kind] = part.split('=').map((s) => s.trim());
    if ((role !== 'operator' && role !== 'admin') || !ProbeKind.safeParse(kind).success) {
      throw new UsageError(`--kinds takes ROLE=KIND pairs (roles: operator, admin; kinds: ${ProbeKind.options.join(', ')}), got '${part}'`);
    }
    kinds[role].push(kind as ProbeKind);
  }
  return kinds;
}

/** `checkout:log` or `*:log`. */
function parseAutoApprove(raw: string): NonNullable<PolicyPatch['autoApprove']>[number] {
  const at = raw.lastIndexOf(':');
  const kind = raw.slice(at + 1);
  if (at <= 0 || !ProbeKind.safeParse(kind).success) throw new UsageError(`--auto-approve takes SERVICE:KIND (e.g. checkout:log or '*:log'), got '${raw}'`);
  return { service: raw.slice(0, at), kinds: [kind as ProbeKind] };
}

function readPolicyFile(file: string): PolicyPatch {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`--from ${file}: ${(e as Error).message}`);
  }
  // accept the output of `policy get --json` as well as a bare policy
  const body = json && typeof json === 'object' && 'policy' in json ? (json as { policy: unknown }).policy : json;
  const parsed = PolicyPatch.safeParse(body);
  if (!parsed.success) throw new UsageError(`--from ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
