import type { Identity, Method } from '../protocol';
import { isScoped } from './scope';

export type { Identity } from '../protocol';

/** Something a client may try to do; today exactly the request methods. */
export type Action = Method;

const VIEWER: readonly Action[] = ['services.list', 'probe.list', 'evidence.query', 'evidence.subscribe', 'evidence.unsubscribe', 'incidents.list', 'incidents.get'];
const OPERATOR: readonly Action[] = [...VIEWER, 'probe.add', 'probe.remove', 'probe.approve', 'probe.reject', 'probe.extend', 'policy.get', 'incidents.resolve'];
const ADMIN: readonly Action[] = [...OPERATOR, 'token.create', 'token.list', 'token.revoke', 'agentkey.create', 'agentkey.list', 'agentkey.revoke', 'policy.set', 'audit.query'];

/** What each role may call; every method appears for admin, so a new method is denied until placed here. */
export const ROLE_ACTIONS: Record<Identity['role'], ReadonlySet<Action>> = {
  viewer: new Set(VIEWER),
  operator: new Set(OPERATOR),
  admin: new Set(ADMIN),
};

/**
 * Governance stays with people: an AI token may read and propose, but never decide on proposals, mint
 * tokens or change the policy, whatever its role — otherwise it could approve itself.
 */
const HUMAN_ONLY: ReadonlySet<Action> = new Set<Action>(['probe.approve', 'probe.reject', 'probe.extend', 'token.create', 'token.revoke', 'agentkey.create', 'agentkey.revoke', 'policy.set']);

/** Relay-wide powers: a token scoped to some services cannot grant itself (or see) more than its scope. */
const UNSCOPED_ONLY: ReadonlySet<Action> = new Set<Action>(['token.create', 'token.list', 'token.revoke', 'agentkey.create', 'agentkey.list', 'agentkey.revoke', 'policy.set', 'audit.query']);

export type Decision = { allowed: true } | { allowed: false; why: string };

/** The single place access by role is decided (scopes are checked per resource, in scope.ts). */
export function authorize(identity: Identity, action: Action): Decision {
  if (!ROLE_ACTIONS[identity.role].has(action)) return { allowed: false, why: `${identity.name} (${identity.role}) may not call ${action}` };
  if (identity.ai && HUMAN_ONLY.has(action)) return { allowed: false, why: `${action} needs a person: ${identity.name} is an AI token` };
  if (isScoped(identity) && UNSCOPED_ONLY.has(action)) return { allowed: false, why: `${action} needs an unscoped token: ${identity.name} is scoped` };
  return { allowed: true };
}
