import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { RelayBridge } from '../../mcp/bridge';
import { createRuntruthMcpServer } from '../../mcp/tools';
import { relayVersion } from '../../relay/version';
import { connectionOptions, parse, resolveConnection } from '../args';

export const help = `runtruth mcp [--relay URL] [--token TOKEN] [--data DIR]
  Runs a Model Context Protocol server on stdin/stdout for AI assistants that launch local servers (Claude Code,
  Cursor, Copilot), bridging to the relay with the given token. Tools: list_services, list_probes,
  propose_logpoint, propose_snapshot, propose_metric, get_proposal_status, get_evidence, remove_probe.
  Every probe it asks for is an AI proposal: it runs only after a person approves it (unless the relay's policy
  auto-approves). Diagnostics go to stderr; stdout carries only the protocol.
  Remote assistants can use the relay's own endpoint instead: http(s)://<relay>/mcp with Authorization: Bearer <token>.`;

/** Serves MCP on stdio until the client closes stdin (or SIGINT/SIGTERM). */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, connectionOptions);
  const conn = resolveConnection(values);
  const version = relayVersion();
  let server: ReturnType<typeof createRuntruthMcpServer> | undefined;
  const bridge = new RelayBridge({
    relay: conn.relay,
    token: conn.token,
    clientVersion: version,
    clientName: () => {
      const client = server?.server.getClientVersion();
      return client ? `mcp:${client.name}` : 'runtruth-mcp';
    },
  });
  server = createRuntruthMcpServer({ caller: bridge, ended: bridge.ended, version });
  server.server.oninitialized = () => {
    // connect once the client has said who it is, so the relay's audit names it; a failure is only reported
    bridge.connected().then(
      (client) => console.error(`runtruth mcp: connected to ${conn.relay} as ${client.identity.name} (${client.identity.role})`),
      (err: unknown) => console.error(`runtruth mcp: relay not reachable yet (${err instanceof Error ? err.message : String(err)}); tools retry on each call`),
    );
  };
  const transport = new StdioServerTransport();
  await server.connect(transport);
  console.error(`runtruth mcp: serving MCP on stdio for ${conn.relay}`);
  await new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close().catch(() => undefined);
  await bridge.close();
  process.stdin.destroy(); // after a signal, an open stdin would keep the process alive
  return 0;
}
