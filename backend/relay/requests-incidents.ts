import { RuntruthError, type Identity, type Incident } from '../protocol';
import { actorOf } from './audit';
import type { Handlers } from './client-requests';
import { labelsInScope, requireService, serviceInScope } from './scope';

type IncidentMethods = 'incidents.list' | 'incidents.get' | 'incidents.resolve';

/** A scoped token sees incidents about its services (or naming none) whose labels fit its label scope. */
export function incidentInScope(identity: Identity, incident: Pick<Incident, 'service' | 'labels'>): boolean {
  return (!incident.service || serviceInScope(identity, incident.service)) && labelsInScope(identity, incident.labels);
}

export const incidentHandlers: Handlers<IncidentMethods> = {
  'incidents.list': ({ status, service, limit }, ctx) => {
    if (service) requireService(ctx.identity, service);
    const services = ctx.identity.scope?.services;
    const found = ctx.incidents.list({ limit, ...(status ? { status } : {}), ...(service ? { service } : {}), ...(services ? { services } : {}) });
    return { incidents: found.filter((i) => incidentInScope(ctx.identity, i)) };
  },
  'incidents.get': ({ incidentId }, ctx) => visible(ctx.identity, ctx.incidents.get(incidentId)),
  'incidents.resolve': ({ incidentId, reason }, ctx) => {
    visible(ctx.identity, ctx.incidents.get(incidentId));
    return ctx.incidents.resolve(incidentId, actorOf(ctx.identity), reason);
  },
};

function visible(identity: Identity, incident: Incident): Incident {
  if (!incidentInScope(identity, incident)) throw new RuntruthError('forbidden', `${identity.name} is scoped; ${incident.id} is outside its scope`);
  return incident;
}
