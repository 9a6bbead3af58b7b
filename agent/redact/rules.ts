import { DENYLIST_CONTAINS, DENYLIST_EXACT, normaliseName } from './names';
import { findCardNumbers } from './luhn';

/** What may be configured (agent options now, relay-pushed later): plain data, so it crosses threads. */
export interface RedactionConfig {
  /** Regex sources matched against identifiers and property names (case-insensitive), on top of the denylist. */
  names?: string[];
  /** Regex sources matched against string values; each match is replaced. */
  values?: string[];
  /** Detect card numbers (Luhn) in string values. Default true. */
  cardNumbers?: boolean;
}

/** Shown instead of a withheld value (in logpoint text) or a withheld part of a string. */
export const REDACTED = '[redacted]';

/** The result of checking a string: the text to show, and whether anything was withheld. */
export interface CheckedString {
  text: string;
  redacted: boolean;
}

/**
 * Decides what is sensitive. Compiled once from the config; every check is a Set lookup or a few regex tests,
 * cheap enough for the main thread's hit path. Name checks are cached (programs reuse the same names).
 */
export class Redactor {
  private readonly nameRules: RegExp[];
  private readonly valueRules: RegExp[];
  private readonly cardNumbers: boolean;
  private readonly exact = new Set(DENYLIST_EXACT);
  private readonly nameCache = new Map<string, boolean>();

  constructor(config: RedactionConfig = {}) {
    this.nameRules = (config.names ?? []).map((source) => new RegExp(source, 'i'));
    this.valueRules = (config.values ?? []).map((source) => new RegExp(source, 'g'));
    this.cardNumbers = config.cardNumbers ?? true;
  }

  /** Whether a variable or property with this name holds something that must not leave the process. */
  isSensitiveName(name: string): boolean {
    let hit = this.nameCache.get(name);
    if (hit === undefined) {
      const n = normaliseName(name);
      hit = this.exact.has(n) || DENYLIST_CONTAINS.some((w) => n.includes(w)) || this.nameRules.some((r) => r.test(name));
      if (this.nameCache.size > 10_000) this.nameCache.clear(); // bounded: names come from programs, not users
      this.nameCache.set(name, hit);
    }
    return hit;
  }

  /** The string with card numbers and value-rule matches replaced by [redacted]. */
  checkString(text: string): CheckedString {
    let out = text;
    let redacted = false;
    if (this.cardNumbers) {
      const ranges = findCardNumbers(out);
      for (let i = ranges.length - 1; i >= 0; i--) {
        const range = ranges[i]!; // indexed, not destructured: the array iterator is the program's to patch
        out = out.slice(0, range[0]) + REDACTED + out.slice(range[1]);
        redacted = true;
      }
    }
    for (const rule of this.valueRules) {
      rule.lastIndex = 0;
      if (!rule.test(out)) continue;
      rule.lastIndex = 0;
      out = out.replace(rule, REDACTED);
      redacted = true;
    }
    return { text: out, redacted };
  }
}

/** Checks a config's regexes compile; returns one readable problem or undefined. */
export function redactionConfigProblem(config: RedactionConfig): string | undefined {
  for (const [field, list] of [['names', config.names], ['values', config.values]] as const) {
    for (const source of list ?? []) {
      try {
        new RegExp(source);
      } catch (e) {
        return `redaction.${field}: "${source}" is not a valid regular expression (${e instanceof Error ? e.message : String(e)})`;
      }
    }
  }
  return undefined;
}

/** The name an expression's value is known by: `user.password` → `password`, `creds["apiKey"]` → `apiKey`. */
export function expressionName(source: string): string | undefined {
  const m = /(?:^|[.\s])([A-Za-z_$][\w$]*)\s*$|\[\s*(['"])([^'"]+)\2\s*\]\s*$/.exec(source.trim());
  return m ? (m[1] ?? m[3]) : undefined;
}
