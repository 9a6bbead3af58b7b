import * as vscode from 'vscode';
import type { Selector, ServiceView } from '../../../backend/protocol';
import { targetChoices } from '../../core/targetChoices';

/**
 * Which running instances get the probe: asks only when there is a real choice (see core/targetChoices).
 * Resolves undefined when the user cancels; throws (a sentence for the user) when nothing is connected.
 */
export async function pickTarget(services: readonly ServiceView[], defaults: { service: string; labels: Record<string, string> }, title: string): Promise<Selector | undefined> {
  const decision = targetChoices(services, defaults);
  if (decision.kind === 'none') throw new Error(decision.problem);
  if (decision.kind === 'auto') return decision.selector;
  const picked = await vscode.window.showQuickPick(decision.choices, { title, placeHolder: 'Which running service or instance should hold this probe?', matchOnDescription: true, ignoreFocusOut: true });
  return picked?.selector;
}
