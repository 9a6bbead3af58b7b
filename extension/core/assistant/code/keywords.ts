/** A search term from the question: what to look for in code, and the words it came from. */
export interface Term {
  /** Lowercase letters/digits only; matched against code with separators and case removed. */
  stem: string;
  /** The question's word(s) it came from, for explanations. */
  from: string;
  /** Compounds ("high-value") are more specific than single words. */
  weight: number;
  /** A compound's stemmed parts, which code may separate with `_` or `-` (HIGH_VALUE). */
  parts?: string[];
}

/** Words that say something about the incident, not about the code. */
const STOP = new Set(
  (
    'a an and are as at be been being but by can could did do does doing for from had has have having how i in into is it its ' +
    'me my no not of on or our out over so some such than that the their them then there these they this those to too under up ' +
    'very was we were what when where which while who whom why will with would you your since after before latest last recent ' +
    'recently new now today yesterday deploy deployed deployment deployments release released rollout version build started start ' +
    'starting suddenly sudden spike spikes spiking rate rates increase increased increasing decrease many much more most lot lots ' +
    'fail fails failing failed failure failures error errors wrong broken break breaks issue issues problem problems bug bugs ' +
    'service services request requests response responses users user customer customers getting get got seeing see seen still ' +
    'anymore longer stopped stop stops working work works correctly properly behave behaving instead any all every each only just also ' +
    'even look looks like happen happening happened going whats keep keeps'
  ).split(' '),
);

/** Stems a word the way identifiers tend to contain it: validations → validat, trades → trade, flagged → flag. */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/[^a-z0-9]/g, '');
  for (const [suffix, keep] of [
    ['ations', 'at'], ['ation', 'at'], ['ings', ''], ['ing', ''], ['ies', 'y'], ['ed', ''], ['es', ''], ['s', ''], ['ly', ''],
  ] as const) {
    // -es only after a sibilant (boxes, matches); trades is trade + s
    if (suffix === 'es' && !/(?:s|x|z|ch|sh)es$/.test(w)) continue;
    if (w.length - suffix.length >= 4 && w.endsWith(suffix) && !(suffix === 's' && w.endsWith('ss'))) {
      w = w.slice(0, -suffix.length) + keep;
      break;
    }
  }
  // a doubled final consonant left by -ing/-ed (flagged → flagg) matches identifiers better without it
  if (/([bdgmnprt])\1$/.test(w)) w = w.slice(0, -1);
  return w;
}

/**
 * Search terms from a question: content words (stemmed) and hyphen/camel compounds joined, so "high-value
 * trades" finds `HIGH_VALUE_THRESHOLD`, `isHighValue` and `trade`. Deterministic order: by weight, then text.
 */
export function termsFromQuestion(question: string): Term[] {
  const terms = new Map<string, Term>();
  const add = (s: string, from: string, weight: number, parts?: string[]) => {
    if (s.length < 3 || /^\d+$/.test(s)) return;
    const existing = terms.get(s);
    if (!existing || existing.weight < weight) terms.set(s, { stem: s, from, weight, ...(parts ? { parts } : {}) });
  };
  // quoted phrases and identifiers written in code style are taken as they are
  for (const m of question.matchAll(/`([^`]+)`|"([^"]+)"/g)) {
    const text = (m[1] ?? m[2] ?? '').trim();
    if (text) add(text.toLowerCase().replace(/[^a-z0-9]/g, ''), text, 3);
  }
  for (const raw of question.split(/[\s,.;:!?()[\]{}'"`]+/)) {
    if (!raw) continue;
    const parts = raw.split(/[-_/]|(?<=[a-z])(?=[A-Z])/).filter(Boolean);
    if (parts.length > 1 && parts.some((p) => !STOP.has(p.toLowerCase()))) add(parts.map(stem).join(''), raw, 2, parts.map(stem));
    for (const p of parts) if (!STOP.has(p.toLowerCase())) add(stem(p), p, 1);
  }
  return [...terms.values()].sort((a, b) => b.weight - a.weight || a.stem.localeCompare(b.stem));
}

/** Lowercase letters and digits only: how code text is compared with terms. */
export const squash = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');
