import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, ParseArgsConfig } from 'node:util';

/** A usage mistake: printed with a hint and exit code 2 (operational failures exit 1). */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const DEFAULT_RELAY = 'ws://127.0.0.1:7070';
export const DEFAULT_DATA_DIR = '.runtruth';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every relay-talking command accepts. */
export const connectionOptions = {
  relay: { type: 'string' },
  token: { type: 'string' },
  data: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies Options;

export function parse<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export interface Connection {
  relay: string;
  token: string;
}

/**
 * Where the relay is and how we prove who we are: flags, then env, then the admin token a local relay
 * wrote into its data dir (so the README's flow works with no token juggling on one machine).
 */
export function resolveConnection(values: { relay?: string; token?: string; data?: string }, env = process.env): Connection {
  const relay = values.relay ?? env.RUNTRUTH_RELAY ?? DEFAULT_RELAY;
  if (!/^wss?:\/\//.test(relay)) throw new UsageError(`--relay must be a ws:// or wss:// URL, got '${relay}'`);
  const token = values.token ?? env.RUNTRUTH_TOKEN ?? readSecretFile(values.data ?? DEFAULT_DATA_DIR, 'admin.token');
  if (!token) {
    throw new UsageError(`no token: pass --token, set RUNTRUTH_TOKEN, or run where the relay's data dir (${values.data ?? DEFAULT_DATA_DIR}) holds admin.token`);
  }
  return { relay, token };
}

export function readSecretFile(dataDir: string, name: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dataDir, name), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function parseIntArg(name: string, raw: string | undefined, min = 1): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${raw}'`);
  return Number(raw);
}

/** `90`, `90s`, `15m`, `2h`, `1d` → seconds. */
export function parseDuration(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d+)(s|m|h|d)?$/.exec(raw);
  if (!m || Number(m[1]) === 0) throw new UsageError(`--${name} must be a duration like 90s, 15m, 2h or 1d, got '${raw}'`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
}

/** `k=v,k2=v2` → record. */
export function parseLabels(raw: string | undefined): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const part of raw.split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--labels takes k=v pairs separated by commas, got '${part}'`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
