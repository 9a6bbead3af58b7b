import { ClientHub, type ClientHubDeps } from '../relay/clients';
import { AiOriginVerifier } from './ai-origin';
import { McpHttpEndpoint } from './http';

export { McpHttpEndpoint } from './http';

/**
 * The relay's MCP endpoint over the relay's own client machinery: a second ClientHub with the WebSocket
 * hub's dependencies (same store, token table, limiter, policy, audit, probe book) whose identities are AI.
 * The relay forwards probe lifecycle changes and token revocations to `hub` as it does for the WebSocket hub.
 */
export function createMcpEndpoint(deps: ClientHubDeps): { hub: ClientHub; endpoint: McpHttpEndpoint } {
  const verifier = new AiOriginVerifier(deps.secrets);
  const hub = new ClientHub({ ...deps, verifier });
  const endpoint = new McpHttpEndpoint({ hub, verifier, failures: deps.failures, version: deps.relayVersion, log: deps.log });
  return { hub, endpoint };
}
