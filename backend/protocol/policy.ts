import { z } from 'zod';
import { MAX_PROBE_TTL_SECONDS, ProbeKind, ServiceName } from './probe';

/** A file glob: `**` crosses directories, `*` and `?` do not; a pattern matches at any directory boundary. */
export const FileGlob = z.string().min(1).max(512);

/** A regular expression source, checked to compile, naming variables/fields whose values agents must redact. */
export const NameRegex = z
  .string()
  .min(1)
  .max(256)
  .refine((source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');

/** Probe kinds an AI proposal may go live with unapproved, for one service (or every service: `*`). */
export const AutoApproveRule = z.object({
  service: z.union([ServiceName, z.literal('*')]),
  kinds: z.array(ProbeKind).min(1),
});

/**
 * The relay's governance limits, enforced on every probe whoever places it. Numbers are ceilings: a request
 * above one is refused with `policy_violation`, a request that leaves one out gets the ceiling.
 */
export const Policy = z.object({
  maxTtlSeconds: z.int().min(1).max(MAX_PROBE_TTL_SECONDS),
  maxHits: z.int().min(1).max(10_000_000).optional(),
  maxPerSecond: z.number().positive().max(1_000_000).optional(),
  /** Which probe kinds each role may place (admins included: this is also a brake on mistakes). */
  allowedKinds: z.object({ operator: z.array(ProbeKind), admin: z.array(ProbeKind) }),
  fileBlocklist: z.array(FileGlob).max(1000),
  autoApprove: z.array(AutoApproveRule).max(1000),
  /** Pushed to agents (later): values whose name matches are replaced by [redacted] before they leave the process. */
  redaction: z.array(NameRegex).max(1000),
});
export type Policy = z.infer<typeof Policy>;

/** `policy.set` changes only the fields it names; lists are replaced whole. */
export const PolicyPatch = Policy.partial();
export type PolicyPatch = z.infer<typeof PolicyPatch>;

/** Every kind allowed by default: restricting kinds is an admin's decision, and new kinds should not need a policy edit. */
export const DEFAULT_POLICY: Policy = {
  maxTtlSeconds: MAX_PROBE_TTL_SECONDS,
  allowedKinds: { operator: [...ProbeKind.options], admin: [...ProbeKind.options] },
  fileBlocklist: [],
  autoApprove: [],
  redaction: [],
};
