import { parseExpressionAt } from 'acorn';

/** A logpoint template split into literal text and expression sources: `parts.length === expressions.length + 1`. */
export interface ParsedTemplate {
  parts: string[];
  expressions: string[];
}

export class TemplateRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateRejected';
  }
}

/**
 * Parses `amount={order.amount} ok={{literal}}`: `{expr}` is an expression, `{{` and `}}` are literal braces.
 * An expression's extent comes from the JS parser, so braces and strings inside it (`{ {a: "}"} }`) are fine.
 */
export function parseTemplate(template: string): ParsedTemplate {
  const parts: string[] = [];
  const expressions: string[] = [];
  let literal = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i]!;
    if (c === '{' && template[i + 1] === '{') {
      literal += '{';
      i += 2;
    } else if (c === '}' && template[i + 1] === '}') {
      literal += '}';
      i += 2;
    } else if (c === '}') {
      throw new TemplateRejected(`template has an unbalanced "}" at position ${i + 1} (write "}}" for a literal brace)`);
    } else if (c === '{') {
      const { source, end } = readExpression(template, i);
      parts.push(literal);
      expressions.push(source);
      literal = '';
      i = end + 1;
    } else {
      literal += c;
      i++;
    }
  }
  parts.push(literal);
  return { parts, expressions };
}

/** Reads the expression opened by the "{" at `open`; returns its source and the index of its closing "}". */
function readExpression(template: string, open: number): { source: string; end: number } {
  if (!template.includes('}', open + 1)) {
    throw new TemplateRejected(`template has an unbalanced "{" at position ${open + 1} (write "{{" for a literal brace)`);
  }
  if (/^\s*\}/.test(template.slice(open + 1))) throw new TemplateRejected(`template has an empty expression "{}" at position ${open + 1}`);
  let end: number;
  try {
    end = parseExpressionAt(template, open + 1, { ecmaVersion: 'latest', preserveParens: true }).end; // `{(a || b)}` ends at its ")"
  } catch (e) {
    const upTo = template.indexOf('}', open + 1);
    throw new TemplateRejected(`expression "${template.slice(open + 1, upTo).trim()}" does not parse: ${e instanceof Error ? e.message : String(e)}`);
  }
  const source = template.slice(open + 1, end).trim();
  let close = end;
  while (/\s/.test(template[close] ?? '')) close++;
  if (template[close] !== '}') {
    throw new TemplateRejected(`template expression "${source}" at position ${open + 1} must be followed by "}"`);
  }
  return { source, end: close };
}
