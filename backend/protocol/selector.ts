import type { Selector } from './probe';
import type { InstanceInfo } from './messages';

/** Whether a probe's selector applies to an instance: same service, every selector label present, listed if listed. */
export function selectorMatches(selector: Selector, instance: Pick<InstanceInfo, 'service' | 'labels' | 'instanceId'>): boolean {
  if (selector.service !== instance.service) return false;
  for (const [k, v] of Object.entries(selector.labels ?? {})) if (instance.labels?.[k] !== v) return false;
  if (selector.instances && !selector.instances.includes(instance.instanceId)) return false;
  return true;
}
