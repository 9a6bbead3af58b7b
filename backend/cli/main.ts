import { RuntruthError } from '../protocol';
import { RelayConnectionError } from '../client/relayClient';
import { UsageError } from './args';
import { ProbeFailedError } from './settle';
import * as attach from './commands/attach';
import * as audit from './commands/audit';
import * as demo from './commands/demo';
import * as evidence from './commands/evidence';
import * as incidents from './commands/incidents';
import * as investigate from './commands/investigate';
import * as mcp from './commands/mcp';
import * as probe from './commands/probe';
import * as policy from './commands/policy';
import * as relay from './commands/relay';
import * as review from './commands/review';
import * as services from './commands/services';
import * as token from './commands/token';

interface Command {
  help: string;
  run(argv: string[]): Promise<number>;
}

const commands: Record<string, Command> = { relay, attach, services, probe, evidence, token, policy, audit, demo, investigate, review, mcp, incidents };

const usage = `usage: runtruth <command> [options]

commands:
  relay      start the relay (WebSocket hub + embedded store)
  attach     load the agent into a running Node.js process (no restart)
  services   list services and instances
  probe      add | list | rm | approve | reject probes
  evidence   print or follow evidence
  token      create | list | revoke tokens (roles, scopes, AI tokens)
  policy     get | set the probe policy (limits, blocklist, auto-approval)
  audit      list, export or --verify the tamper-evident audit log
  demo       run relay + example service + attach + logpoint on loopback
  investigate  find the commit behind a question about a running service, with runtime evidence
  incidents  list | show | resolve incidents received on the relay's alert webhook
  review     check a branch's changes against live behaviour of the deployed service (hit rates, value types)
  mcp        MCP server on stdio for AI assistants (Claude Code, Cursor, Copilot), bridged to the relay

common options: --relay URL (env RUNTRUTH_RELAY, default ws://127.0.0.1:7070)
                --token TOKEN (env RUNTRUTH_TOKEN, else .runtruth/admin.token)  --json
run 'runtruth <command> --help' for details.`;

/** Runs the CLI; resolves with the exit code. Errors become one clear line on stderr. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`runtruth: unknown command '${name}'\n\n${usage}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    return report(e, command);
  }
}

function report(e: unknown, command: Command): number {
  if (e instanceof UsageError) {
    console.error(`runtruth: ${e.message}\n\n${command.help}`);
    return 2;
  }
  if (e instanceof RuntruthError) console.error(`runtruth: ${e.message} [${e.code}]`);
  else if (e instanceof RelayConnectionError || e instanceof ProbeFailedError) console.error(`runtruth: ${e.message}`);
  else if (e instanceof Error && (e as NodeJS.ErrnoException).code === undefined && e.name === 'AttachError') console.error(`runtruth: ${e.message}`);
  else console.error(`runtruth: ${e instanceof Error ? e.message : String(e)}`);
  return 1;
}
