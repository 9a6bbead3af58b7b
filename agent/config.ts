import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import { describeIssues } from '../backend/protocol/errors';
import { Labels, ServiceName } from '../backend/protocol/probe';

/** What a host app passes to `start()`. Validated once, synchronously, so a typo fails loudly at the call site. */
export const AgentOptionsSchema = z.object({
  /** Relay base URL (`ws://` or `wss://`); the agent dials `${relay}/agent`. */
  relay: z.string().refine(isWebSocketUrl, 'must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:7070'),
  /** Shared secret the relay knows agents by. */
  agentKey: z.string().min(8).max(512),
  /** The name probes select and evidence is grouped under. */
  service: ServiceName,
  labels: Labels.optional(),
  /** Default: `${hostname}-${pid}-${4 random hex}`. */
  instanceId: z.string().min(1).max(128).optional(),
  /** 'attach' when loaded from outside by `runtruth attach`. Default 'in-process'. */
  mode: z.enum(['in-process', 'attach']).optional(),
  /** The deployed commit; default: RUNTRUTH_COMMIT / GIT_COMMIT env, else the nearest `.git` above the cwd. */
  commit: z.string().regex(/^[0-9a-f]{7,64}$/, 'must be 7-64 lowercase hex digits').optional(),
  /** The agent's own diagnostic log (appended). Default: RUNTRUTH_LOG_FILE, else no log. Never the app's stdout. */
  logFile: z.string().min(1).optional(),
});
export type AgentOptions = z.input<typeof AgentOptionsSchema>;

/** Options with defaults applied: plain data, so it can cross into the worker thread. */
export interface AgentConfig {
  relayUrl: string;
  agentKey: string;
  service: string;
  labels: Record<string, string>;
  instanceId: string;
  mode: 'in-process' | 'attach';
  commit?: string;
  logFile?: string;
}

/** Validates and completes options; throws one readable Error (never echoing the key) when they are wrong. */
export function resolveConfig(options: unknown, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const parsed = AgentOptionsSchema.safeParse(options);
  if (!parsed.success) throw new Error(`invalid runtruth agent options: ${describeIssues(parsed.error)}`);
  const o = parsed.data;
  return {
    relayUrl: `${o.relay.replace(/\/+$/, '')}/agent`,
    agentKey: o.agentKey,
    service: o.service,
    labels: o.labels ?? {},
    instanceId: o.instanceId ?? defaultInstanceId(),
    mode: o.mode ?? 'in-process',
    ...(o.commit ? { commit: o.commit } : {}),
    ...(o.logFile ?? env.RUNTRUTH_LOG_FILE ? { logFile: o.logFile ?? env.RUNTRUTH_LOG_FILE } : {}),
  };
}

export function defaultInstanceId(): string {
  return `${os.hostname().slice(0, 100)}-${process.pid}-${randomBytes(2).toString('hex')}`;
}

function isWebSocketUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'ws:' || url.protocol === 'wss:') && !url.search && !url.hash;
  } catch {
    return false;
  }
}
