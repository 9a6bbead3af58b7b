import { MAX_FRAME_BYTES, RuntruthError, type Evidence, type ResultOf } from '../protocol';
import { actorOf } from './audit';
import type { Handlers, RequestContext, RequestOf } from './client-requests';
import type { EvidenceFilter } from './evidence-filter';
import { isScoped, requireProbe, requireService } from './scope';
import { relayGap } from './subscriptions';

type EvidenceMethods = 'evidence.query' | 'evidence.subscribe' | 'evidence.unsubscribe';

/** The items of one query answer, as JSON: under MAX_FRAME_BYTES with room for the envelope. */
const QUERY_PAGE_BYTES = MAX_FRAME_BYTES - 64 * 1024;

export const evidenceHandlers: Handlers<EvidenceMethods> = {
  'evidence.query': queryEvidence,
  'evidence.subscribe': ({ afterId, ...wanted }, ctx) => {
    const result = ctx.subscriptions.add(resolveFilter(wanted, ctx), afterId);
    ctx.audit.record({ actor: actorOf(ctx.identity), action: 'evidence.subscribed', target: result.subscription, details: { ...wanted, ...(afterId === undefined ? {} : { afterId }), remote: ctx.remote } });
    return result;
  },
  'evidence.unsubscribe': ({ subscription }, ctx) => {
    ctx.subscriptions.remove(subscription);
    return { subscription };
  },
};

function queryEvidence(params: RequestOf<'evidence.query'>['params'], ctx: RequestContext): ResultOf<'evidence.query'> {
  const filter = resolveFilter(params, ctx);
  const afterId = params.afterId ?? 0;
  // snapshots run to 1 MB each: a page holds what fits one frame, and `lastId` says where to go on from
  const stored = ctx.evidence.after(afterId, filter, params.limit, QUERY_PAGE_BYTES);
  const prunedThrough = ctx.evidence.prunedThrough();
  const items: Evidence[] = params.afterId !== undefined && afterId < prunedThrough ? [relayGap(prunedThrough - afterId, ctx.now()), ...stored] : stored;
  const lastId = stored.length ? stored[stored.length - 1].id : afterId;
  ctx.audit.record({
    actor: actorOf(ctx.identity),
    action: 'evidence.read',
    details: { ...(params.probeId ? { probeId: params.probeId } : {}), ...(params.service ? { service: params.service } : {}), afterId, returned: stored.length, remote: ctx.remote },
  });
  return { items, lastId };
}

/** A probe filter also needs the probe's service, to include that service's agent gap markers; scope narrows every filter. */
function resolveFilter(wanted: { probeId?: string; service?: string }, ctx: RequestContext): EvidenceFilter {
  const { identity } = ctx;
  if (wanted.service !== undefined) requireService(identity, wanted.service);
  const scope = isScoped(identity) ? { services: identity.scope?.services, labels: identity.scope?.labels } : undefined;
  if (wanted.probeId === undefined) return { service: wanted.service, ...(scope ? { scope } : {}) };
  const found = ctx.probes.record(wanted.probeId) ?? ctx.probeStore.find(wanted.probeId);
  if (!found) throw new RuntruthError('not_found', `no probe '${wanted.probeId}'`);
  requireProbe(identity, found.probe);
  return { probeId: wanted.probeId, service: wanted.service, probeService: found.probe.selector.service, ...(scope ? { scope } : {}) };
}
