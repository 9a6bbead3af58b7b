/** How long a probe lives and how many hits it takes, as typed in one short line: `ttl 15m, max 100`. */
export interface ProbeLimits {
  ttlSeconds: number;
  /** Per instance; undefined for no limit. */
  maxHits?: number;
}

/** Mirrors the relay's ceiling so the input box can say so before the relay refuses. */
export const MAX_TTL_SECONDS = 7 * 24 * 3600;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** `90s`, `15m`, `2h`, `1d` → seconds; undefined when it is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  if (!m || Number(m[1]) === 0) return undefined;
  return Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
}

export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) if (seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

/** The text a limits box starts with, from the user's defaults. */
export function formatLimits(limits: ProbeLimits): string {
  return `ttl ${formatDuration(limits.ttlSeconds)}${limits.maxHits ? `, max ${limits.maxHits}` : ''}`;
}

export type LimitsResult = { ok: true; limits: ProbeLimits } | { ok: false; problem: string };

/**
 * Reads `ttl 15m`, `max 100`, `ttl 2h, max 10` (any order, commas or spaces, `=` allowed; a bare duration is a
 * TTL). Anything not given keeps the default.
 */
export function parseLimits(text: string, defaults: ProbeLimits): LimitsResult {
  const limits: ProbeLimits = { ...defaults };
  const tokens = text.trim().split(/[\s,]+/).filter(Boolean);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const [key, inlineValue] = token.includes('=') ? token.split('=', 2) : [token, undefined];
    const keyword = key!.toLowerCase();
    if (keyword === 'ttl' || keyword === 'max' || keyword === 'maxhits') {
      const value = inlineValue ?? tokens[++i];
      if (value === undefined) return { ok: false, problem: `"${key}" needs a value, e.g. ${keyword === 'ttl' ? 'ttl 15m' : 'max 100'}` };
      if (keyword === 'ttl') {
        const ttl = parseDuration(value);
        if (ttl === undefined) return { ok: false, problem: `ttl must be a duration like 90s, 15m, 2h or 1d, not "${value}"` };
        limits.ttlSeconds = ttl;
      } else {
        if (!/^\d+$/.test(value)) return { ok: false, problem: `max must be a whole number of hits, not "${value}"` };
        if (Number(value) > 0) limits.maxHits = Number(value);
        else delete limits.maxHits; // max 0 means no limit
      }
    } else if (parseDuration(token) !== undefined) {
      limits.ttlSeconds = parseDuration(token)!;
    } else {
      return { ok: false, problem: `"${token}" is not understood: write e.g. "ttl 15m, max 100"` };
    }
  }
  if (limits.ttlSeconds > MAX_TTL_SECONDS) return { ok: false, problem: `ttl can be at most 7d (the relay's limit)` };
  return { ok: true, limits };
}
