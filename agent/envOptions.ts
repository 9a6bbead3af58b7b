import { AgentOptionsSchema, type AgentOptions } from './config';

/** Which environment variable sets which option, for messages that name what the operator actually typed. */
const ENV_NAMES: Record<string, string> = {
  relay: 'RUNTRUTH_RELAY',
  agentKey: 'RUNTRUTH_AGENT_KEY',
  service: 'RUNTRUTH_SERVICE',
  labels: 'RUNTRUTH_LABELS',
  commit: 'RUNTRUTH_COMMIT',
  logFile: 'RUNTRUTH_LOG_FILE',
};

/**
 * Agent options from RUNTRUTH_* variables (for `node --require runtruth/agent/register`). Throws one Error
 * whose message names the variables to fix (and never echoes the key).
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv): AgentOptions {
  const missing = ['RUNTRUTH_RELAY', 'RUNTRUTH_AGENT_KEY', 'RUNTRUTH_SERVICE'].filter((name) => !env[name]?.trim());
  if (missing.length) throw new Error(`set ${missing.join(', ')} to start the agent`);
  const options: AgentOptions = {
    relay: env.RUNTRUTH_RELAY!.trim(),
    agentKey: env.RUNTRUTH_AGENT_KEY!.trim(),
    service: env.RUNTRUTH_SERVICE!.trim(),
    ...(env.RUNTRUTH_LABELS?.trim() ? { labels: parseLabelList(env.RUNTRUTH_LABELS) } : {}),
    ...(env.RUNTRUTH_COMMIT?.trim() ? { commit: env.RUNTRUTH_COMMIT.trim().toLowerCase() } : {}),
    ...(env.RUNTRUTH_LOG_FILE?.trim() ? { logFile: env.RUNTRUTH_LOG_FILE.trim() } : {}),
  };
  const parsed = AgentOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${ENV_NAMES[String(i.path[0])] ?? i.path.join('.')}${i.path.length > 1 ? ` (${i.path.slice(1).join('.')})` : ''}: ${i.message}`);
    throw new Error(`invalid agent configuration: ${issues.join('; ')}`);
  }
  return options;
}

/** "team=payments,region=eu" → { team: 'payments', region: 'eu' }. */
export function parseLabelList(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`RUNTRUTH_LABELS must be k=v pairs separated by commas; "${pair}" is not`);
    labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return labels;
}
