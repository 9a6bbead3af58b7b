import * as vscode from 'vscode';
import type { Selector, ServiceView } from '../../../backend/protocol';
import { plural, shortCommit } from '../../core/format';

interface TargetItem extends vscode.QuickPickItem {
  selector?: Selector;
}

/**
 * Which running instances get the probe. Skips the question when the answer is obvious: a configured default
 * service, or a single service with a single live instance.
 */
export async function pickTarget(services: readonly ServiceView[], defaults: { service: string; labels: Record<string, string> }, title: string): Promise<Selector | undefined> {
  const labels = Object.keys(defaults.labels).length ? { labels: defaults.labels } : {};
  if (defaults.service) return { service: defaults.service, ...labels };
  const live = services.filter((s) => s.instances.some((i) => i.connected));
  const candidates = live.length ? live : services;
  if (!candidates.length) throw new Error('No service has connected to the relay yet: start one with the agent (see the walkthrough), then try again.');
  const only = candidates[0]!;
  if (candidates.length === 1 && only.instances.filter((i) => i.connected).length <= 1) return { service: only.service, ...labels };

  const items: TargetItem[] = [];
  for (const s of candidates) {
    const connected = s.instances.filter((i) => i.connected);
    items.push({ label: `$(server-environment) ${s.service}`, description: `all instances · ${plural(connected.length, 'live instance')}`, selector: { service: s.service, ...labels } });
    if (connected.length > 1) {
      for (const i of connected) {
        const commit = shortCommit(i.commit);
        items.push({ label: `$(vm-running) ${i.instanceId}`, description: `${s.service} · pid ${i.pid}${commit ? ` · ${commit}` : ''}`, selector: { service: s.service, instances: [i.instanceId] } });
      }
    }
  }
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Which running service should hold this probe?', matchOnDescription: true, ignoreFocusOut: true });
  return picked?.selector;
}
