import type { Selector, ServiceView } from '../../backend/protocol';
import { plural, shortCommit } from './format';

export interface TargetChoice {
  label: string;
  description: string;
  selector: Selector;
}

export type TargetDecision = { kind: 'auto'; selector: Selector } | { kind: 'ask'; choices: TargetChoice[] } | { kind: 'none'; problem: string };

/**
 * Which running instances a new probe should go to. Decided without asking when the answer is obvious (a
 * configured default service, or one service with at most one live instance); otherwise the choices are every
 * live service (all its instances) and, where a service runs several, each instance on its own.
 */
export function targetChoices(services: readonly ServiceView[], defaults: { service: string; labels: Record<string, string> }): TargetDecision {
  const labels = Object.keys(defaults.labels).length ? { labels: defaults.labels } : {};
  if (defaults.service) return { kind: 'auto', selector: { service: defaults.service, ...labels } };
  const live = services.filter((s) => s.instances.some((i) => i.connected));
  const candidates = live.length ? live : services;
  if (!candidates.length) return { kind: 'none', problem: 'No service has connected to the relay yet: start one with the agent (see the walkthrough), then try again.' };
  const only = candidates[0]!;
  if (candidates.length === 1 && only.instances.filter((i) => i.connected).length <= 1) return { kind: 'auto', selector: { service: only.service, ...labels } };
  const choices: TargetChoice[] = [];
  for (const s of candidates) {
    const connected = s.instances.filter((i) => i.connected);
    choices.push({ label: `$(server-environment) ${s.service}`, description: `all instances · ${plural(connected.length, 'live instance')}`, selector: { service: s.service, ...labels } });
    if (connected.length < 2) continue;
    for (const i of connected) {
      const commit = shortCommit(i.commit);
      choices.push({ label: `$(vm-running) ${i.instanceId}`, description: `${s.service} · pid ${i.pid}${commit ? ` · ${commit}` : ''}`, selector: { service: s.service, instances: [i.instanceId] } });
    }
  }
  return { kind: 'ask', choices };
}
