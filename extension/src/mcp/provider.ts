import * as vscode from 'vscode';
import type { Runtime } from '../runtime';
import { MCP_PROVIDER_ID, planServers, resolveHeaders } from './definitions';

/**
 * The MCP server definition provider API is VS Code ≥ 1.101; the extension supports 1.100, whose @types lack
 * it (and whose runtime has it only behind an API proposal). These are the few members used, declared here
 * and feature-detected at runtime.
 */
interface McpHttpDefinition {
  label: string;
  uri: vscode.Uri;
  headers: Record<string, string>;
  version?: string;
}
interface McpApi {
  lm?: {
    registerMcpServerDefinitionProvider?(
      id: string,
      provider: {
        onDidChangeMcpServerDefinitions?: vscode.Event<void>;
        provideMcpServerDefinitions(token: vscode.CancellationToken): McpHttpDefinition[];
        resolveMcpServerDefinition?(server: McpHttpDefinition, token: vscode.CancellationToken): Promise<McpHttpDefinition | undefined>;
      },
    ): vscode.Disposable;
  };
  McpHttpServerDefinition?: new (label: string, uri: vscode.Uri, headers?: Record<string, string>, version?: string) => McpHttpDefinition;
}

/**
 * Offers the configured relay's /mcp to Copilot and other MCP clients in VS Code with no manual setup. The
 * definition names only the URL; the signed-in token is added when VS Code starts the server.
 */
export function registerMcpServerProvider(rt: Runtime): vscode.Disposable[] {
  const api = vscode as unknown as McpApi;
  const lm = api.lm;
  const Definition = api.McpHttpServerDefinition;
  if (!lm?.registerMcpServerDefinitionProvider || !Definition) return []; // VS Code < 1.101: nothing to register with
  const changed = new vscode.EventEmitter<void>();
  const version = String((rt.context.extension.packageJSON as { version?: string }).version ?? '0');
  let provider: vscode.Disposable;
  try {
    provider = lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, {
      onDidChangeMcpServerDefinitions: changed.event,
      provideMcpServerDefinitions: () => planServers(rt.settings().relay, version).map((p) => new Definition(p.label, vscode.Uri.parse(p.url), {}, p.version)),
      resolveMcpServerDefinition: async (server) => {
        server.headers = await resolveHeaders(rt.settings().relay, server.headers ?? {}, (relay) => rt.tokens.get(relay));
        return server;
      },
    });
  } catch (err) {
    // VS Code 1.100 has the function behind an API proposal and throws: same as absent
    changed.dispose();
    rt.channels.log(`MCP server definitions not offered: ${err instanceof Error ? err.message : String(err)}`);
    return [];
  }
  return [
    changed,
    provider,
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('runtruth.relay') && changed.fire()),
    rt.context.secrets.onDidChange((e) => e.key.startsWith('runtruth.token:') && changed.fire()),
  ];
}
