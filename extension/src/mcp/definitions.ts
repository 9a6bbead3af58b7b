// No `vscode` import here: this is the provider's logic, unit-tested in plain mocha (test/mcp/).

/** The provider id, as declared in package.json `contributes.mcpServerDefinitionProviders`. */
export const MCP_PROVIDER_ID = 'runtruth.relay';

/** What VS Code gets from provideMcpServerDefinitions: where the server is, never the token. */
export interface McpServerPlan {
  label: string;
  /** http(s)://host:port/mcp of the configured relay. */
  url: string;
  version: string;
}

/**
 * The relay's MCP endpoint for the `runtruth.relay` setting: ws→http, wss→https, `/mcp` under the relay's base
 * path. Undefined for anything that is not a ws(s) URL (the setting's pattern allows only those).
 */
export function mcpUrlOf(relay: string): string | undefined {
  let url: URL;
  try {
    url = new URL(relay.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return undefined;
  const base = url.pathname.replace(/\/+$/, '');
  return `${url.protocol === 'wss:' ? 'https' : 'http'}://${url.host}${base}/mcp`;
}

/** The one server this extension offers: the configured relay (none when the setting is unusable). */
export function planServers(relay: string, extensionVersion: string): McpServerPlan[] {
  const url = mcpUrlOf(relay);
  if (!url) return [];
  return [{ label: `Runtruth (${new URL(url).host})`, url, version: extensionVersion }];
}

/** Thrown from resolve when there is no token: VS Code shows it, and the tool call is cancelled. */
export class McpSignInRequired extends Error {
  override name = 'McpSignInRequired';
}

/**
 * The headers a server starts with, resolved when VS Code starts it: the signed-in token for that relay, read
 * from secret storage at that moment (so a token is never part of a definition VS Code caches or shows).
 */
export async function resolveHeaders(relay: string, existing: Record<string, string>, tokenFor: (relay: string) => PromiseLike<string | undefined>): Promise<Record<string, string>> {
  const token = await tokenFor(relay.replace(/\/+$/, ''));
  if (!token) throw new McpSignInRequired(`Runtruth: sign in to ${relay} first (command "Runtruth: Sign In"); the MCP server uses the same token.`);
  return { ...existing, Authorization: `Bearer ${token}` };
}
