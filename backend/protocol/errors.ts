import { z } from 'zod';

/**
 * Wire errors: a stable code a program can branch on and a message a person can read.
 * (Local failures are ordinary `Error`s with a `cause`; these are what crosses the wire.)
 */
export const ErrorCode = z.enum([
  'bad_message', // not JSON, or does not match the protocol schema
  'unsupported_protocol', // hello with a protocol version this side does not speak
  'handshake_required', // anything before hello
  'unauthorized', // missing/unknown/revoked token or agent key
  'forbidden', // authenticated but not allowed
  'not_found', // no such probe / resource
  'no_such_service', // a selector names a service the relay has never seen
  'invalid_probe', // the probe cannot be placed as specified
  'invalid_expression', // a template/condition expression is not allowed
  'policy_violation', // allowed to place probes, but this one breaks the relay's policy (TTL, kind, blocked file...)
  'conflict', // the request clashes with current state (e.g. a token name already in use, approving a live probe)
  'rate_limited',
  'too_large',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const WireError = z.object({
  code: ErrorCode,
  message: z.string().max(4000),
  /** Extra machine-readable detail, e.g. the schema issues of a bad message. */
  details: z.unknown().optional(),
});
export type WireError = z.infer<typeof WireError>;

/** A failure reported by the other side, thrown locally so callers can `catch` and read `code`. */
export class RuntruthError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RuntruthError';
  }
  toWire(): WireError {
    return { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) };
  }
}

/** Turns zod issues into one line a person can act on: `field.path: problem; other: problem`. */
export function describeIssues(error: z.ZodError, max = 3): string {
  const parts = error.issues.slice(0, max).map((i) => `${i.path.length ? i.path.join('.') : '(message)'}: ${i.message}`);
  if (error.issues.length > max) parts.push(`and ${error.issues.length - max} more`);
  return parts.join('; ');
}
