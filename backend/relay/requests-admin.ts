import { actorOf } from './audit';
import type { Handlers } from './client-requests';

type AdminMethods = 'token.create' | 'token.list' | 'token.revoke' | 'policy.get' | 'policy.set' | 'audit.query';

/** Tokens, policy and the audit log: who may call these is decided in auth.ts, before they run. */
export const adminHandlers: Handlers<AdminMethods> = {
  'token.create': (params, ctx) => ctx.tokens.create(params, actorOf(ctx.identity)),
  'token.list': ({ includeInactive }, ctx) => ({ tokens: ctx.tokens.list(includeInactive) }),
  'token.revoke': ({ token }, ctx) => ({ revoked: ctx.tokens.revoke(token, actorOf(ctx.identity)) }),
  'policy.get': (_params, ctx) => ctx.policy.view(),
  'policy.set': ({ policy, clear }, ctx) => ctx.policy.set(policy, actorOf(ctx.identity), clear),
  'audit.query': ({ afterSeq, limit, newest }, ctx) => {
    const entries = newest ? ctx.auditStore.last(limit) : ctx.auditStore.after(afterSeq ?? 0, limit);
    return { entries, lastSeq: entries.length ? entries[entries.length - 1]!.seq : (afterSeq ?? 0) };
  },
};
