import { z } from 'zod';
import { Origin, Role } from './identity';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * One audit record. `hash` is sha256 over the canonical JSON of every other field (prevHash included), so
 * changing, removing or reordering an entry breaks the chain from there on.
 */
export const AuditEntry = z.object({
  seq: z.int().min(1),
  at: z.iso.datetime(),
  /** Token name, `agent:<service>/<instance>`, `relay`, or the remote address of an unauthenticated peer. */
  actor: z.string().max(512),
  role: z.union([Role, z.literal('agent')]).optional(),
  origin: Origin,
  /** e.g. `probe.proposed`, `token.revoked`, `auth.failed` (a string, so new actions do not break old readers). */
  action: z.string().max(64),
  /** What was acted on: a probe id, token id, service. */
  target: z.string().max(512).optional(),
  details: z.record(z.string(), z.unknown()),
  prevHash: Sha256Hex,
  hash: Sha256Hex,
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** prevHash of the first entry. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);
