import { z } from 'zod';
import { describeIssues } from '../backend/protocol/errors';
import { Labels, ServiceName } from '../backend/protocol/probe';
import { defaultInstanceId } from './instanceId';
import { redactionConfigProblem, type RedactionConfig } from './redact/rules';

const RegexList = z.array(z.string().min(1).max(256)).max(1000);

/**
 * What a host app passes to `start()`. Validated in the agent's worker (zod stays off the service's main thread):
 * a typo rejects `ready` with one readable Error and the agent stays off.
 */
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
  /**
   * Values withheld before anything leaves the process, on top of the built-in denylist of names (password,
   * token, apiKey, authorization, cookie, ssn, card number…) and card-number detection: `names` are regexes on
   * variable/property names, `values` regexes on string values. The relay may push more (later).
   */
  redaction: z.strictObject({ names: RegexList.optional(), values: RegexList.optional(), cardNumbers: z.boolean().optional() }).optional(),
  /** File globs no probe may instrument (e.g. `src/secrets/**` or `*.config.js`); a probe there gets status `blocked`. */
  blocklist: z.array(z.string().min(1).max(512)).max(1000).optional(),
  /** How often metric windows are flushed as evidence. Default 5000 ms. */
  metricIntervalMs: z.int().min(100).max(3_600_000).optional(),
  /**
   * Share of one core all probes together may use (sliding 2 s window), 0.001–1. Default 0.01 (1%). A probe over
   * it is throttled, then disabled, with a status that says why.
   */
  cpuBudget: z.number().min(0.001).max(1).optional(),
  /**
   * Longest the program may be paused to insert a probe into its code or take it out (V8 recompiles the whole script
   * and walks the live heap: see agent/inject/editCost). A probe whose edit would take longer (a big bundle, a large
   * heap) runs on the breakpoint tier instead. Default 100 ms; 0 never edits.
   */
  maxEditPauseMs: z.int().min(0).max(60_000).optional(),
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
  redaction: RedactionConfig;
  blocklist: string[];
  metricIntervalMs: number;
  cpuBudget: number;
  maxEditPauseMs: number;
}

/** Metric windows flush this often unless configured. */
export const DEFAULT_METRIC_INTERVAL_MS = 5000;

/** All probes of a process together may use this share of one core unless configured. */
export const DEFAULT_CPU_BUDGET = 0.01;

/** A live edit may pause the program this long unless configured (about as long as a Debugger.enable on a big service). */
export const DEFAULT_MAX_EDIT_PAUSE_MS = 100;

/** Validates and completes options; throws one readable Error (never echoing the key) when they are wrong. */
export function resolveConfig(options: unknown, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const parsed = AgentOptionsSchema.safeParse(options);
  if (!parsed.success) throw new Error(`invalid runtruth agent options: ${describeIssues(parsed.error)}`);
  const o = parsed.data;
  const redactionProblem = redactionConfigProblem(o.redaction ?? {});
  if (redactionProblem) throw new Error(`invalid runtruth agent options: ${redactionProblem}`);
  return {
    relayUrl: `${o.relay.replace(/\/+$/, '')}/agent`,
    agentKey: o.agentKey,
    service: o.service,
    labels: o.labels ?? {},
    instanceId: o.instanceId ?? defaultInstanceId(),
    mode: o.mode ?? 'in-process',
    ...(o.commit ? { commit: o.commit } : {}),
    ...(o.logFile ?? env.RUNTRUTH_LOG_FILE ? { logFile: o.logFile ?? env.RUNTRUTH_LOG_FILE } : {}),
    redaction: o.redaction ?? {},
    blocklist: o.blocklist ?? [],
    metricIntervalMs: o.metricIntervalMs ?? DEFAULT_METRIC_INTERVAL_MS,
    cpuBudget: o.cpuBudget ?? DEFAULT_CPU_BUDGET,
    maxEditPauseMs: o.maxEditPauseMs ?? DEFAULT_MAX_EDIT_PAUSE_MS,
  };
}

function isWebSocketUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'ws:' || url.protocol === 'wss:') && !url.search && !url.hash;
  } catch {
    return false;
  }
}
