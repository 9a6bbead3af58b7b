import { attach } from '../../../agent/attach';
import { DEFAULT_DATA_DIR, DEFAULT_RELAY, parse, parseIntArg, parseLabels, readSecretFile, UsageError } from '../args';

export const help = `runtruth attach (--pid PID | --inspect HOST:PORT) --service NAME [--labels k=v,...]
                [--relay ws://127.0.0.1:7070] [--agent-key KEY] [--json]
  Loads the Runtruth agent into a running Node.js process without restarting it. With --pid the target's
  inspector is opened on 127.0.0.1:9229 (SIGUSR1) only long enough to start the agent, then closed again.
  The agent key comes from --agent-key, RUNTRUTH_AGENT_KEY, or <data>/agent.key of a local relay.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    pid: { type: 'string' },
    inspect: { type: 'string' },
    service: { type: 'string' },
    labels: { type: 'string' },
    relay: { type: 'string' },
    'agent-key': { type: 'string' },
    data: { type: 'string' },
    json: { type: 'boolean' },
    timeout: { type: 'string' },
  });
  if (!values.pid === !values.inspect) throw new UsageError('give exactly one of --pid PID or --inspect HOST:PORT');
  if (!values.service) throw new UsageError('--service is required (the name evidence and probes are grouped under)');
  const agentKey = values['agent-key'] ?? process.env.RUNTRUTH_AGENT_KEY ?? readSecretFile(values.data ?? DEFAULT_DATA_DIR, 'agent.key');
  if (!agentKey) throw new UsageError(`no agent key: pass --agent-key, set RUNTRUTH_AGENT_KEY, or run where ${values.data ?? DEFAULT_DATA_DIR}/agent.key exists`);
  let inspect: { host: string; port: number } | undefined;
  if (values.inspect) {
    const m = /^(.+):(\d{1,5})$/.exec(values.inspect);
    if (!m) throw new UsageError(`--inspect takes HOST:PORT, got '${values.inspect}'`);
    inspect = { host: m[1]!, port: Number(m[2]) };
  }
  const result = await attach({
    pid: parseIntArg('pid', values.pid),
    inspect,
    timeoutMs: parseIntArg('timeout', values.timeout),
    agent: {
      relay: values.relay ?? process.env.RUNTRUTH_RELAY ?? DEFAULT_RELAY,
      agentKey,
      service: values.service,
      labels: parseLabels(values.labels),
    },
    log: (line: string) => console.error(line),
  });
  if (values.json) console.log(JSON.stringify({ pid: result.pid, instanceId: result.instanceId, service: values.service }));
  else console.log(`attached to pid ${result.pid} as ${values.service}/${result.instanceId}`);
  return 0;
}
