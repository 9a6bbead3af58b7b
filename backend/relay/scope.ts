import { RuntruthError, type Identity, type Labels, type ProbeSpec, type Selector } from '../protocol';

/**
 * Per-resource checks for scoped tokens: a token scoped to services sees and acts on only those services;
 * one scoped to labels only on instances (and probes) carrying those labels. Unscoped tokens see everything.
 */
export function serviceInScope(identity: Identity, service: string): boolean {
  const services = identity.scope?.services;
  return services === undefined || services.includes(service);
}

export function labelsInScope(identity: Identity, labels: Labels | undefined): boolean {
  for (const [k, v] of Object.entries(identity.scope?.labels ?? {})) if (labels?.[k] !== v) return false;
  return true;
}

/** A probe is in scope when its service is, and its selector cannot reach instances outside the label scope. */
export function probeInScope(identity: Identity, probe: ProbeSpec): boolean {
  return serviceInScope(identity, probe.selector.service) && labelsInScope(identity, probe.selector.labels);
}

/**
 * The selector a scoped token's probe gets: its scope labels are added, so it can only run on the team's
 * instances. A selector that names a different value for a scoped label is refused rather than rewritten.
 */
export function narrowSelector(identity: Identity, selector: Selector): Selector {
  requireService(identity, selector.service);
  const scoped = identity.scope?.labels;
  if (!scoped || Object.keys(scoped).length === 0) return selector;
  for (const [k, v] of Object.entries(scoped)) {
    if (selector.labels?.[k] !== undefined && selector.labels[k] !== v) {
      throw new RuntruthError('forbidden', `${identity.name} is scoped to ${k}=${v}; the probe asks for ${k}=${selector.labels[k]}`);
    }
  }
  return { ...selector, labels: { ...selector.labels, ...scoped } };
}

export function requireService(identity: Identity, service: string): void {
  if (!serviceInScope(identity, service)) {
    throw new RuntruthError('forbidden', `${identity.name} is scoped to ${identity.scope?.services?.join(', ')}; '${service}' is outside it`);
  }
}

export function requireProbe(identity: Identity, probe: ProbeSpec): void {
  if (!probeInScope(identity, probe)) throw new RuntruthError('forbidden', `probe ${probe.id} is outside the scope of ${identity.name}`);
}

export function isScoped(identity: Identity): boolean {
  return identity.scope?.services !== undefined || Object.keys(identity.scope?.labels ?? {}).length > 0;
}
