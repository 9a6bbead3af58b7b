import { z } from 'zod';
import { Labels, ServiceName } from './probe';

/** viewer: read; operator: + place/remove probes, approve proposals; admin: + tokens, policy, audit. */
export const Role = z.enum(['viewer', 'operator', 'admin']);
export type Role = z.infer<typeof Role>;

/** Who is behind an action, as recorded in the audit log and on proposals. */
export const Origin = z.enum(['human', 'ai', 'agent', 'system', 'unknown']);
export type Origin = z.infer<typeof Origin>;

/** Token ids are relay-assigned (`tok-` + number) and safe to show, log and pass around; the secret is not. */
export const TokenId = z.string().regex(/^tok-[0-9]{1,15}$/, 'token ids look like tok-12');
/** Names are for people; never `tok-<digits>`, so `token revoke X` can tell a name from an id. */
export const TokenName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$/, 'token names are 1-64 chars of [A-Za-z0-9_.@+-], starting alphanumeric')
  .refine((name) => !TokenId.safeParse(name).success, 'a token name cannot look like a token id (tok-<digits>)');

/**
 * What a scoped token may touch: only these services, and only instances carrying these labels.
 * An absent field is no restriction on that axis.
 */
export const TokenScope = z.object({
  services: z.array(ServiceName).min(1).max(1000).optional(),
  labels: Labels.optional(),
});
export type TokenScope = z.infer<typeof TokenScope>;

/** Who a client is, as told in its welcome (the extra fields are optional so older relays still parse). */
export const Identity = z.object({
  name: z.string(),
  role: Role,
  tokenId: TokenId.optional(),
  /** An AI assistant's token: its probes wait for a human's approval. */
  ai: z.boolean().optional(),
  scope: TokenScope.optional(),
  expiresAt: z.iso.datetime().optional(),
});
export type Identity = z.infer<typeof Identity>;

export const TokenState = z.enum(['active', 'expired', 'revoked']);

/** Where a stored secret (token or agent key) is in its life: the fields both views share. */
const SecretLifecycle = {
  state: TokenState,
  createdAt: z.iso.datetime(),
  createdBy: z.string().optional(),
  expiresAt: z.iso.datetime().optional(),
  revokedAt: z.iso.datetime().optional(),
  revokedBy: z.string().optional(),
  lastUsedAt: z.iso.datetime().optional(),
};

/** A token as listed: everything but the secret, which is shown once at creation and never again. */
export const TokenView = z.object({
  id: TokenId,
  name: z.string(),
  role: Role,
  ai: z.boolean(),
  scope: TokenScope.optional(),
  ...SecretLifecycle,
});
export type TokenView = z.infer<typeof TokenView>;

/** Longest a token may live when an expiry is given (absent: no expiry). */
export const MAX_TOKEN_TTL_SECONDS = 5 * 366 * 24 * 3600;

export const NewToken = z.object({
  name: TokenName,
  role: Role,
  ai: z.boolean().optional(),
  scope: TokenScope.optional(),
  expiresInSeconds: z.int().min(60).max(MAX_TOKEN_TTL_SECONDS).optional(),
});

/**
 * An agent key for one environment or pool of agents (`prod-pool`): with a scope, it can only register instances
 * of those services / carrying those labels. Stored hashed, listed and revoked like tokens (ids share the `tok-` space).
 */
export const AgentKeyView = z.object({
  id: TokenId,
  name: z.string(),
  kind: z.literal('agent'),
  scope: TokenScope.optional(),
  ...SecretLifecycle,
  /** Instances connected with this key now. */
  connected: z.int().min(0).optional(),
});
export type AgentKeyView = z.infer<typeof AgentKeyView>;

export const NewAgentKey = z.object({
  name: TokenName,
  scope: TokenScope.optional(),
  expiresInSeconds: z.int().min(60).max(MAX_TOKEN_TTL_SECONDS).optional(),
});
