import type { TokenScope, TokenView } from '../../protocol';
import { connectionOptions, parse, parseDuration, parseLabels, resolveConnection, UsageError } from '../args';
import { formatToken } from '../output';
import { withClient } from '../session';

export const help = `runtruth token create --role viewer|operator|admin --name NAME [--services a,b] [--labels team=x]
                     [--ai] [--expires 30d] [--json]
runtruth token list [--all] [--json]
runtruth token revoke NAME|ID [--json]
  Manages the tokens people and tools connect with (needs an admin token). create prints the new token ONCE:
  only its hash is kept. --services/--labels scope it to those services / instances with those labels.
  --ai marks an AI assistant's token: its probes wait as proposals until a person approves them.
  --all also lists revoked and expired tokens. revoke by name revokes every active token with that name.`;

const ROLES = ['viewer', 'operator', 'admin'] as const;

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
    services: { type: 'string' },
    labels: { type: 'string' },
    ai: { type: 'boolean' },
    expires: { type: 'string' },
  });
  const role = ROLES.find((r) => r === values.role);
  if (!role) throw new UsageError(`--role must be one of ${ROLES.join(', ')}${values.role ? `, got '${values.role}'` : ''}`);
  if (!values.name) throw new UsageError('--name is required (who or what will use the token)');
  const services = values.services?.split(',').map((s) => s.trim()).filter(Boolean);
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

async function list(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...connectionOptions, all: { type: 'boolean' } });
  return withClient(resolveConnection(values), async (client) => {
    const { tokens } = await client.request('token.list', { includeInactive: values.all ?? false });
    print(tokens, values.json, 'no tokens');
    return 0;
  });
}

async function revoke(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, connectionOptions, true);
  if (positionals.length !== 1) throw new UsageError('usage: runtruth token revoke NAME|ID');
  return withClient(resolveConnection(values), async (client) => {
    const { revoked } = await client.request('token.revoke', { token: positionals[0]! });
    print(revoked, values.json, 'nothing revoked');
    return 0;
  });
}

function print(tokens: TokenView[], json: boolean | undefined, none: string): void {
  if (json) for (const t of tokens) console.log(JSON.stringify(t));
  else if (!tokens.length) console.log(none);
  else for (const t of tokens) console.log(formatToken(t));
}
