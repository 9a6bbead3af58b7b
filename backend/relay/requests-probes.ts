import { RuntruthError, type Approval, type NewProbe, type ProbeSpec, type ProbeView, type ServiceView } from '../protocol';
import { actorOf } from './audit';
import type { Handlers, RequestContext, RequestOf } from './client-requests';
import { labelsInScope, narrowSelector, probeInScope, requireProbe, requireService, serviceInScope } from './scope';
import type { ProbeRecord } from './store-probes';

type ProbeMethods = 'services.list' | 'probe.add' | 'probe.list' | 'probe.remove' | 'probe.approve' | 'probe.reject' | 'probe.extend';

export const probeHandlers: Handlers<ProbeMethods> = {
  'services.list': (_params, ctx) => ({ services: visibleServices(ctx) }),
  'probe.add': addProbe,
  'probe.list': ({ service }, ctx) => {
    if (service !== undefined) requireService(ctx.identity, service);
    return { probes: ctx.probes.list(service).filter((r) => probeInScope(ctx.identity, r.probe)).map((r) => view(r, ctx)) };
  },
  'probe.remove': ({ probeId }, ctx) => {
    requireProbe(ctx.identity, known(probeId, ctx).probe);
    return { probeId, removed: ctx.probes.remove(probeId, actorOf(ctx.identity)) };
  },
  'probe.approve': ({ probeId }, ctx) => {
    requireProbe(ctx.identity, known(probeId, ctx).probe);
    // today's policy and the approver's role decide, not the proposer's at proposal time
    const approved = ctx.probes.approve(probeId, actorOf(ctx.identity), (proposal) => {
      const checked = ctx.policy.checkProbe(asRequest(proposal), ctx.identity.role);
      const { ttlSeconds: _ttl, ...fields } = checked;
      return { ...proposal.probe, ...fields };
    });
    return view(approved, ctx);
  },
  'probe.reject': ({ probeId, reason }, ctx) => {
    requireProbe(ctx.identity, known(probeId, ctx).probe);
    return view(ctx.probes.reject(probeId, actorOf(ctx.identity), reason), ctx);
  },
  'probe.extend': ({ probeId, ttlSeconds }, ctx) => {
    requireProbe(ctx.identity, known(probeId, ctx).probe);
    const max = ctx.policy.policy.maxTtlSeconds;
    if (ttlSeconds > max) throw new RuntruthError('policy_violation', `ttlSeconds ${ttlSeconds} exceeds the policy maximum of ${max}`);
    const expiresAt = new Date(ctx.now().getTime() + ttlSeconds * 1000).toISOString();
    return view(ctx.probes.extend(probeId, expiresAt, actorOf(ctx.identity)), ctx);
  },
};

/**
 * Scope narrows the selector, policy applies its ceilings, then the origin decides: a person's probe goes
 * live, an AI's waits as a proposal unless the policy auto-approves its kind for that service.
 */
function addProbe({ probe: request, allowPending, origin }: RequestOf<'probe.add'>['params'], ctx: RequestContext): ProbeView {
  const selector = narrowSelector(ctx.identity, request.selector);
  const { service } = selector;
  if (!allowPending && !ctx.registry.hasService(service)) {
    const known = ctx.registry.serviceNamesKnown().filter((s) => serviceInScope(ctx.identity, s));
    throw new RuntruthError(
      'no_such_service',
      `no such service '${service}' (known: ${known.length ? known.join(', ') : 'none yet'}); pass allowPending to place it before the service connects`,
      { known },
    );
  }
  const { ttlSeconds, ...fields } = ctx.policy.checkProbe({ ...request, selector }, ctx.identity.role);
  const actor = actorOf(ctx.identity, origin);
  const now = ctx.now();
  const spec: ProbeSpec = {
    ...fields,
    id: ctx.probes.newId(),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
    createdBy: ctx.identity.name,
  };
  const approval: Approval = { origin: actor.origin === 'ai' ? 'ai' : 'human', requestedBy: ctx.identity.name, ttlSeconds };
  if (approval.origin === 'human') return view(ctx.probes.place(spec, approval, actor), ctx);
  if (ctx.policy.autoApproves(service, spec.kind)) {
    return view(ctx.probes.place(spec, { ...approval, decision: 'auto-approved', decidedBy: 'policy', decidedAt: now.toISOString() }, actor), ctx);
  }
  return view(ctx.probes.propose(spec, approval, actor), ctx);
}

/** Services and instances the caller may see; a label scope hides other teams' instances (and empty services). */
function visibleServices(ctx: RequestContext): ServiceView[] {
  const { identity } = ctx;
  return ctx.registry
    .services()
    .filter((s) => serviceInScope(identity, s.service))
    .map((s) => ({ ...s, instances: s.instances.filter((i) => labelsInScope(identity, i.labels)) }))
    .filter((s) => s.instances.length > 0 || !identity.scope?.labels);
}

function known(probeId: string, ctx: RequestContext): ProbeRecord {
  const record = ctx.probes.record(probeId) ?? ctx.probeStore.find(probeId);
  if (!record) throw new RuntruthError('not_found', `no probe '${probeId}'`);
  return record;
}

/** A proposal as the request it came from, to check it again. */
function asRequest(record: ProbeRecord): NewProbe {
  const { id: _id, createdAt: _c, expiresAt: _e, createdBy: _b, ...fields } = record.probe;
  return { ...fields, ttlSeconds: record.approval?.ttlSeconds ?? 1 } as NewProbe;
}

export function view(record: ProbeRecord, ctx: Pick<RequestContext, 'probeStore'>): ProbeView {
  return {
    probe: record.probe,
    statuses: ctx.probeStore.statuses(record.probe.id),
    state: record.state,
    ...(record.approval ? { approval: record.approval } : {}),
  };
}
