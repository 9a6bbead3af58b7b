import { actorOf } from './audit';
import type { Handlers } from './client-requests';

type AgentKeyMethods = 'agentkey.create' | 'agentkey.list' | 'agentkey.revoke';

/** Agent keys per environment or pool (admin only, decided in auth.ts). */
export const agentKeyHandlers: Handlers<AgentKeyMethods> = {
  'agentkey.create': (params, ctx) => ctx.agentKeys.create(params, actorOf(ctx.identity)),
  'agentkey.list': ({ includeInactive }, ctx) => ({ keys: ctx.agentKeys.list(includeInactive) }),
  'agentkey.revoke': ({ key }, ctx) => ({ revoked: ctx.agentKeys.revoke(key, actorOf(ctx.identity)) }),
};
