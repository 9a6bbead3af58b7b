import { z } from 'zod';
import { redactionConfigProblem, type RedactionConfig } from './redact/rules';
import { AgentOptionsSchema, type AgentOptions } from './config';
import { missingEnvProblem } from './requiredEnv';

/** Which environment variable sets which option, for messages that name what the operator actually typed. */
const ENV_NAMES: Record<string, string> = {
  relay: 'RUNTRUTH_RELAY',
  agentKey: 'RUNTRUTH_AGENT_KEY',
  service: 'RUNTRUTH_SERVICE',
  labels: 'RUNTRUTH_LABELS',
  commit: 'RUNTRUTH_COMMIT',
  logFile: 'RUNTRUTH_LOG_FILE',
  redaction: 'RUNTRUTH_REDACT',
  blocklist: 'RUNTRUTH_BLOCKLIST',
  cpuBudget: 'RUNTRUTH_CPU_BUDGET',
  maxEditPauseMs: 'RUNTRUTH_MAX_EDIT_PAUSE_MS',
};

/**
 * Agent options from RUNTRUTH_* variables (for `node --require runtruth/agent/register`). Throws one Error
 * whose message names the variables to fix (and never echoes the key).
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv): AgentOptions {
  const missing = missingEnvProblem(env);
  if (missing) throw new Error(missing);
  const options: AgentOptions = {
    relay: env.RUNTRUTH_RELAY!.trim(),
    agentKey: env.RUNTRUTH_AGENT_KEY!.trim(),
    service: env.RUNTRUTH_SERVICE!.trim(),
    ...(env.RUNTRUTH_LABELS?.trim() ? { labels: parseLabelList(env.RUNTRUTH_LABELS) } : {}),
    ...(env.RUNTRUTH_COMMIT?.trim() ? { commit: env.RUNTRUTH_COMMIT.trim().toLowerCase() } : {}),
    ...(env.RUNTRUTH_LOG_FILE?.trim() ? { logFile: env.RUNTRUTH_LOG_FILE.trim() } : {}),
    ...(env.RUNTRUTH_REDACT?.trim() ? { redaction: parseRedaction(env.RUNTRUTH_REDACT) } : {}),
    ...(env.RUNTRUTH_BLOCKLIST?.trim() ? { blocklist: parseGlobList(env.RUNTRUTH_BLOCKLIST) } : {}),
    ...(env.RUNTRUTH_CPU_BUDGET?.trim() ? { cpuBudget: parseShare(env.RUNTRUTH_CPU_BUDGET) } : {}),
    ...(env.RUNTRUTH_MAX_EDIT_PAUSE_MS?.trim() ? { maxEditPauseMs: parseMilliseconds('RUNTRUTH_MAX_EDIT_PAUSE_MS', env.RUNTRUTH_MAX_EDIT_PAUSE_MS) } : {}),
  };
  const parsed = AgentOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${ENV_NAMES[String(i.path[0])] ?? i.path.join('.')}${i.path.length > 1 ? ` (${i.path.slice(1).join('.')})` : ''}: ${i.message}`);
    throw new Error(`invalid agent configuration: ${issues.join('; ')}`);
  }
  return options;
}

/**
 * RUNTRUTH_REDACT: JSON, `{"names": ["^acct"], "values": ["\\d{3}-\\d{2}-\\d{4}"], "cardNumbers": true}` (name rules
 * and value rules are regex sources, added to the built-in denylist). Checked here so a mistake names the variable.
 */
function parseRedaction(text: string): RedactionConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('RUNTRUTH_REDACT must be JSON like {"names":["^acct"],"values":["\\d{3}-\\d{2}-\\d{4}"]}');
  }
  const parsed = RedactionEnv.safeParse(value);
  if (!parsed.success) throw new Error(`RUNTRUTH_REDACT: ${parsed.error.issues[0]!.path.join('.') || 'value'}: ${parsed.error.issues[0]!.message}`);
  const problem = redactionConfigProblem(parsed.data);
  if (problem) throw new Error(`RUNTRUTH_REDACT: ${problem}`);
  return parsed.data;
}

/** RUNTRUTH_BLOCKLIST: globs separated by commas (`src/secrets/**,*.env.js`), or a JSON array of them. */
function parseGlobList(text: string): string[] {
  const trimmed = text.trim();
  let globs: unknown;
  if (trimmed.startsWith('[')) {
    try {
      globs = JSON.parse(trimmed);
    } catch {
      throw new Error('RUNTRUTH_BLOCKLIST must be globs separated by commas, or a JSON array of globs');
    }
  } else globs = trimmed.split(',').map((g) => g.trim()).filter(Boolean);
  const parsed = GlobListEnv.safeParse(globs);
  if (!parsed.success) throw new Error(`RUNTRUTH_BLOCKLIST: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/** RUNTRUTH_CPU_BUDGET: a share of one core, as a percentage (`2%`) or a fraction (`0.02`); the schema checks the range. */
function parseShare(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) throw new Error('RUNTRUTH_CPU_BUDGET must be a share of one core like 2% or 0.02');
  return m[2] ? Number(m[1]) / 100 : Number(m[1]);
}

/** A whole number of milliseconds (`100`, or `100ms`); the schema checks the range. */
function parseMilliseconds(name: string, text: string): number {
  const m = /^\s*(\d+)\s*(?:ms)?\s*$/.exec(text);
  if (!m) throw new Error(`${name} must be a whole number of milliseconds like 100`);
  return Number(m[1]);
}

const RedactionEnv = z.strictObject({ names: z.array(z.string().min(1).max(256)).max(1000).optional(), values: z.array(z.string().min(1).max(256)).max(1000).optional(), cardNumbers: z.boolean().optional() });
const GlobListEnv = z.array(z.string().min(1).max(512)).min(1).max(1000);

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
