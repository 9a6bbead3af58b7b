/** A token of JavaScript/TypeScript source, good enough to reason about single lines (not a full parser). */
export interface Token {
  type: 'ident' | 'num' | 'str' | 'punct' | 'regex' | 'template';
  text: string;
  /** 1-based line of the token's first character. */
  line: number;
  /** Brace depth ({ }) before this token. */
  depth: number;
  /** Offset of the token's first character in the source. */
  start: number;
}

const PUNCTUATORS = [
  '>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<', '>>', '**',
];
const IDENT_START = /[A-Za-z_$\u00c0-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u00c0-\uffff]/;
/** After these a `/` starts a regex, not a division. */
const REGEX_AFTER_KEYWORD = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

/**
 * Splits source into tokens, skipping comments and whitespace. Never throws: an unterminated string or
 * comment simply runs to the end of the file.
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let depth = 0;
  const n = source.length;
  const push = (type: Token['type'], text: string, startLine: number, at: number) => tokens.push({ type, text, line: startLine, depth, start: at });
  while (i < n) {
    const c = source[i]!;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      while (i < n && source[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      line += countNewlines(source, i, stop);
      i = stop;
      continue;
    }
    const start = i;
    const startLine = line;
    if (c === '"' || c === "'") {
      i++;
      while (i < n && source[i] !== c && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
      i++;
      push('str', source.slice(start, Math.min(i, n)), startLine, start);
      continue;
    }
    if (c === '`') {
      i = skipTemplate(source, i + 1);
      line += countNewlines(source, start, i);
      push('template', source.slice(start, i), startLine, start);
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      i++;
      while (i < n && /[0-9A-Za-z_.]/.test(source[i]!)) i++;
      push('num', source.slice(start, i), startLine, start);
      continue;
    }
    if (IDENT_START.test(c) || c === '#') {
      i++;
      while (i < n && IDENT_PART.test(source[i]!)) i++;
      push('ident', source.slice(start, i), startLine, start);
      continue;
    }
    if (c === '/' && regexAllowed(tokens[tokens.length - 1])) {
      i = skipRegex(source, i + 1);
      push('regex', source.slice(start, i), startLine, start);
      continue;
    }
    const p = PUNCTUATORS.find((x) => source.startsWith(x, i)) ?? c;
    i += p.length;
    if (p === '}') depth = Math.max(0, depth - 1);
    push('punct', p, startLine, start);
    if (p === '{') depth++;
  }
  return tokens;
}

function regexAllowed(prev: Token | undefined): boolean {
  if (!prev) return true;
  if (prev.type === 'num' || prev.type === 'str' || prev.type === 'template' || prev.type === 'regex') return false;
  if (prev.type === 'ident') return REGEX_AFTER_KEYWORD.has(prev.text);
  return ![')', ']', '}', '++', '--'].includes(prev.text);
}

function skipRegex(source: string, i: number): number {
  let inClass = false;
  while (i < source.length && source[i] !== '\n') {
    const c = source[i]!;
    if (c === '\\') i += 2;
    else {
      if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) break;
      i++;
    }
  }
  i++;
  while (i < source.length && /[a-z]/.test(source[i]!)) i++;
  return i;
}

/** Past the closing backtick, skipping `${ … }` expressions (which may nest templates and braces). */
function skipTemplate(source: string, i: number): number {
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') i += 2;
    else if (c === '`') return i + 1;
    else if (c === '$' && source[i + 1] === '{') {
      let braces = 1;
      i += 2;
      while (i < source.length && braces > 0) {
        const d = source[i]!;
        if (d === '`') i = skipTemplate(source, i + 1);
        else if (d === "'" || d === '"') {
          i++;
          while (i < source.length && source[i] !== d) i += source[i] === '\\' ? 2 : 1;
          i++;
        } else {
          if (d === '{') braces++;
          else if (d === '}') braces--;
          i++;
        }
      }
    } else i++;
  }
  return i;
}

function countNewlines(s: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) count++;
  return count;
}
