import { inspect, types } from 'node:util';

/** Longest rendered message; longer ones end in TRUNCATED_MARK. */
export const MAX_MESSAGE_CHARS = 8 * 1024;
const TRUNCATED_MARK = '…[truncated]';

/**
 * Inspection that cannot run program code we can avoid: no getters, no custom inspectors, no Proxy traps.
 * Depth and length caps keep the cost per hit small and bounded.
 */
const SAFE_INSPECT = {
  depth: 2,
  customInspect: false,
  getters: false,
  showProxy: false,
  maxArrayLength: 20,
  maxStringLength: 255,
  breakLength: Infinity,
} as const;

/** Stands for "this expression threw": made by the hook's `err`, rendered as `<error: …>`. */
export class ExpressionFailure {
  constructor(readonly description: string) {}
}

/** Describes a thrown value without trusting it (a thrown object may have hostile getters). */
export function describeThrown(thrown: unknown): ExpressionFailure {
  try {
    if (!types.isProxy(thrown) && thrown instanceof Error) return new ExpressionFailure(`${thrown.name}: ${thrown.message}`);
    return new ExpressionFailure(typeof thrown === 'string' ? thrown : inspect(thrown, SAFE_INSPECT));
  } catch {
    return new ExpressionFailure('unprintable exception');
  }
}

/** Renders one value as console.log would, but safely: strings raw, other primitives and objects inspected. */
export function formatValue(value: unknown): string {
  try {
    if (typeof value === 'string') return value.length > MAX_MESSAGE_CHARS ? value.slice(0, MAX_MESSAGE_CHARS + 1) : value; // +1: still detectably too long
    // what inspect would print, without its option handling (the common case on a hot path)
    if (typeof value === 'number') return value === 0 && 1 / value < 0 ? '-0' : String(value);
    if (typeof value === 'boolean' || value === undefined || value === null) return String(value);
    // `instanceof` walks the prototype chain: on a Proxy that runs its getPrototypeOf trap
    if (!types.isProxy(value) && value instanceof ExpressionFailure) return `<error: ${value.description}>`;
    return inspect(value, SAFE_INSPECT);
  } catch (e) {
    return `<unprintable: ${describeThrown(e).description}>`;
  }
}

/** Interleaves template literal parts with formatted values and caps the result. */
export function renderMessage(parts: readonly string[], values: readonly unknown[]): string {
  let out = parts[0] ?? '';
  for (let i = 0; i < values.length && out.length <= MAX_MESSAGE_CHARS; i++) out += formatValue(values[i]) + (parts[i + 1] ?? '');
  return out.length > MAX_MESSAGE_CHARS ? out.slice(0, MAX_MESSAGE_CHARS - TRUNCATED_MARK.length) + TRUNCATED_MARK : out;
}
