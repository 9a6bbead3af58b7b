import { DENYLIST_CONTAINS, DENYLIST_EXACT, normaliseName } from './names';
import { findCardNumbers } from './luhn';
import { $mapGet, $mapSet, $regexpTest, $setHas, $stringIncludes } from '../expr/intrinsics';

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
    // runs inside the program (hit path): captured built-ins and indexed loops, so a program that patched
    // Array.prototype.some, its iterator, Map/Set methods or RegExp.prototype.test does not get called from here
    let hit = $mapGet(this.nameCache, name);
    if (hit === undefined) {
      const n = normaliseName(name);
      hit = $setHas(this.exact, n) || containsAny(n, DENYLIST_CONTAINS) || this.matchesNameRule(name);
      if (this.nameCache.size > 10_000) this.nameCache.clear(); // bounded: names come from programs, not users
      $mapSet(this.nameCache, name, hit);
    }
    return hit;
  }

  private matchesNameRule(name: string): boolean {
    for (let i = 0; i < this.nameRules.length; i++) if ($regexpTest(this.nameRules[i]!, name)) return true;
    return false;
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
    for (let i = 0; i < this.valueRules.length; i++) {
      const rule = this.valueRules[i]!;
      rule.lastIndex = 0;
      if (!$regexpTest(rule, out)) continue;
      rule.lastIndex = 0;
      out = out.replace(rule, REDACTED);
      redacted = true;
    }
    return { text: out, redacted };
  }
}

function containsAny(text: string, words: readonly string[]): boolean {
  for (let i = 0; i < words.length; i++) if ($stringIncludes(text, words[i]!)) return true;
  return false;
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
