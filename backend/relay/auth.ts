import type { z } from 'zod';
import type { ClientWelcome, Method } from '../protocol';

/** Who a client is, as told in its welcome. */
export type Identity = z.infer<typeof ClientWelcome>['identity'];

/** Something a client may try to do; today exactly the request methods. */
export type Action = Method;

const READ_ONLY: ReadonlySet<Action> = new Set<Action>(['services.list', 'probe.list', 'evidence.query', 'evidence.subscribe', 'evidence.unsubscribe']);

/**
 * The single place access is decided. Only admin tokens exist today; roles and per-service scopes
 * arrive later and plug in here without touching the request handlers.
 */
export function authorize(identity: Identity, action: Action): boolean {
  switch (identity.role) {
    case 'admin':
    case 'operator':
      return true;
    case 'viewer':
      return READ_ONLY.has(action);
  }
}
