import { RuntruthError, type AgentKeyView, type TokenScope, type TokenView } from '../../protocol';
import type { RelayClient } from '../../client/relayClient';
import { connectionOptions, parse, parseDuration, parseLabels, resolveConnection, UsageError } from '../args';
import { formatToken } from '../output';
import { withClient } from '../session';

export const help = `runtruth token create --role viewer|operator|admin --name NAME [--services a,b] [--labels team=x]
                     [--ai] [--expires 30d] [--json]
runtruth token create --kind agent --name POOL [--service a,b] [--labels env=prod] [--expires 90d] [--json]
runtruth token list [--kind user|agent] [--all] [--json]
runtruth token revoke NAME|ID [--kind user|agent] [--json]
  Manages the tokens people and tools connect with, and the agent keys agents connect with (needs an admin
  token). create prints the new secret ONCE: only its hash is kept. --services/--labels scope a token to those
  services / instances with those labels; for an agent key (--kind agent, one per environment or pool) they
  limit which instances it may register. --ai marks an AI assistant's token: its probes wait as proposals
  until a person approves them. --all also lists revoked and expired ones. revoke by name revokes every active
  token (or, when no token has that name, agent key) with that name; revoking an agent key disconnects its agents.`;

const ROLES = ['viewer', 'operator', 'admin'] as const;
const KINDS = ['user', 'agent'] as const;
type Kind = (typeof KINDS)[number];

function kindOf(value: string | undefined): Kind | undefined {
  if (value === undefined) return undefined;
  const kind = KINDS.find((k) => k === value);
  if (!kind) throw new UsageError(`--kind must be one of ${KINDS.join(', ')}, got '${value}'`);
  return kind;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'create') return create(rest);
  if (sub === 'list' || sub === 'ls') return list(rest);
  if (sub === 'revoke' || sub === 'rm') return revoke(rest);
  throw new UsageError(`unknown 'token' subcommand '${sub ?? ''}' (create, list, revoke)`);
}

async function create(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...connectionOptions,
    role: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string' },
    services: { type: 'string' },
    service: { type: 'string' },
    labels: { type: 'string' },
    ai: { type: 'boolean' },
    expires: { type: 'string' },
  });
  if (kindOf(values.kind) === 'agent') return createAgentKey(values);
  const role = ROLES.find((r) => r === values.role);
  if (!role) throw new UsageError(`--role must be one of ${ROLES.join(', ')}${values.role ? `, got '${values.role}'` : ''}`);
  if (!values.name) throw new UsageError('--name is required (who or what will use the token)');
  const services = (values.services ?? values.service)?.split(',').map((s) => s.trim()).filter(Boolean);
  const labels = parseLabels(values.labels);
  const scope: TokenScope | undefined = services?.length || labels ? { ...(services?.length ? { services } : {}), ...(labels ? { labels } : {}) } : undefined;
  return withClient(resolveConnection(values), async (client) => {
    const { token, secret } = await client.request('token.create', {
      name: values.name!,
      role,
      ...(values.ai ? { ai: true } : {}),
      ...(scope ? { scope } : {}),
      ...(values.expires ? { expiresInSeconds: parseDuration('expires', values.expires) } : {}),
    });
    if (values.json) console.log(JSON.stringify({ ...token, secret }));
    else {
      console.log(formatToken(token));
      console.log(`token (shown once; only its hash is kept): ${secret}`);
    }
    return 0;
  });
}

async function createAgentKey(values: { name?: string; role?: string; ai?: boolean; services?: string; service?: string; labels?: string; expires?: string; json?: boolean } & Parameters<typeof resolveConnection>[0]): Promise<number> {
  if (values.role !== undefined || values.ai) throw new UsageError('an agent key has no --role or --ai: it only lets agents register instances');
  if (!values.name) throw new UsageError('--name is required (the environment or pool, e.g. prod-pool)');
  const services = (values.service ?? values.services)?.split(',').map((s) => s.trim()).filter(Boolean);
  const labels = parseLabels(values.labels);
  const scope: TokenScope | undefined = services?.length || labels ? { ...(services?.length ? { services } : {}), ...(labels ? { labels } : {}) } : undefined;
  return withClient(resolveConnection(values), async (client) => {
    const { key, secret } = await client.request('agentkey.create', {
      name: values.name!,
      ...(scope ? { scope } : {}),
      ...(values.expires ? { expiresInSeconds: parseDuration('expires', values.expires) } : {}),
    });
    if (values.json) console.log(JSON.stringify({ ...key, secret }));
    else {
      console.log(formatAgentKey(key));
      console.log(`agent key (shown once; only its hash is kept; give it to the agents as RUNTRUTH_AGENT_KEY): ${secret}`);
    }
    return 0;
  });
}

async function list(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...connectionOptions, all: { type: 'boolean' }, kind: { type: 'string' } });
  const kind = kindOf(values.kind);
  return withClient(resolveConnection(values), async (client) => {
    const includeInactive = values.all ?? false;
    const tokens = kind === 'agent' ? [] : (await client.request('token.list', { includeInactive })).tokens;
    const keys = kind === 'user' ? [] : (await client.request('agentkey.list', { includeInactive })).keys;
    print(tokens, keys, values.json, kind === 'agent' ? 'no agent keys' : kind === 'user' ? 'no tokens' : 'no tokens or agent keys');
    return 0;
  });
}

async function revoke(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { ...connectionOptions, kind: { type: 'string' } }, true);
  if (positionals.length !== 1) throw new UsageError('usage: runtruth token revoke NAME|ID [--kind user|agent]');
  const kind = kindOf(values.kind);
  const ref = positionals[0]!;
  return withClient(resolveConnection(values), async (client) => {
    if (kind === 'agent') return printRevoked([], await revokeKeys(client, ref), values.json);
    try {
      return printRevoked((await client.request('token.revoke', { token: ref })).revoked, [], values.json);
    } catch (err) {
      // ids are shared between tokens and agent keys, and a name may be either: try the keys before giving up
      if (kind === 'user' || !(err instanceof RuntruthError) || err.code !== 'not_found') throw err;
      try {
        return printRevoked([], await revokeKeys(client, ref), values.json);
      } catch (keyErr) {
        if (keyErr instanceof RuntruthError && keyErr.code === 'not_found') throw new RuntruthError('not_found', `no active token or agent key ${ref}`);
        throw keyErr;
      }
    }
  });
}

async function revokeKeys(client: RelayClient, ref: string): Promise<AgentKeyView[]> {
  return (await client.request('agentkey.revoke', { key: ref })).revoked;
}

function printRevoked(tokens: TokenView[], keys: AgentKeyView[], json: boolean | undefined): number {
  print(tokens, keys, json, 'nothing revoked');
  return 0;
}

function print(tokens: TokenView[], keys: AgentKeyView[], json: boolean | undefined, none: string): void {
  if (json) for (const t of [...tokens, ...keys]) console.log(JSON.stringify(t));
  else if (!tokens.length && !keys.length) console.log(none);
  else {
    for (const t of tokens) console.log(formatToken(t));
    for (const k of keys) console.log(formatAgentKey(k));
  }
}

/** One line per agent key, shaped like a token's line with `agent key` in the role's place. */
function formatAgentKey(k: AgentKeyView): string {
  const scope = [k.scope?.services ? `services=${k.scope.services.join(',')}` : '', k.scope?.labels ? `labels=${Object.entries(k.scope.labels).map(([a, b]) => `${a}=${b}`).join(',')}` : ''].filter(Boolean).join(' ');
  const when = k.state === 'revoked' ? `revoked ${k.revokedAt}${k.revokedBy ? ` by ${k.revokedBy}` : ''}` : k.expiresAt ? `${k.state === 'expired' ? 'expired' : 'expires'} ${k.expiresAt}` : 'no expiry';
  const connected = k.connected !== undefined && k.state === 'active' ? `  ${k.connected} connected` : '';
  return `${k.id}  ${k.name}  agent key  ${k.state}  ${scope || 'all services'}  ${when}${connected}${k.lastUsedAt ? `  last used ${k.lastUsedAt}` : ''}`;
}
