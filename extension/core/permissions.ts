import type { Identity } from '../../backend/protocol';

/** What the signed-in token may do with probes, and, when not, a sentence saying why and what to do. */
export interface ProbePermissions {
  /** Place, remove and extend probes. */
  operate: boolean;
  /** Approve or reject AI proposals and extend TTLs: a person with the operator role. */
  decide: boolean;
  why?: string;
}

/**
 * Mirrors the relay's rules (backend/relay/auth.ts) so the UI can hide what would be refused; the relay still
 * decides every request.
 */
export function probePermissions(identity: Identity | undefined): ProbePermissions {
  if (!identity) return { operate: false, decide: false, why: 'Sign in to act on probes.' };
  if (identity.role === 'viewer') return { operate: false, decide: false, why: `${identity.name} is a viewer token: sign in with an operator token to change probes or approve AI proposals.` };
  if (identity.ai) return { operate: true, decide: false, why: `${identity.name} is an AI token: approving proposals and extending probes needs a person's operator token.` };
  return { operate: true, decide: true };
}
