import * as vscode from 'vscode';
import { probeDisplay } from '../../core/probeDisplay';
import type { Runtime } from '../runtime';

/** How long the "waiting for the first hit" notification stays up before it gives way quietly. */
const FIRST_HIT_TIMEOUT_MS = 120_000;

/**
 * A progress notification from placement to the first hit, so the user knows the probe is live and waiting for
 * traffic; if every instance fails to place it, an error with what to do instead.
 */
/** `what`: 'logpoint at validate.js:13'. */
export function watchFirstHit(rt: Runtime, probeId: string, what: string): Thenable<void> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Runtruth: ${what}`, cancellable: true },
    (progress, cancelled) =>
      new Promise<void>((resolve) => {
        let lastMessage = '';
        const check = () => {
          const probe = rt.state.probe(probeId);
          if (!probe) return finish();
          const display = probeDisplay(probe, rt.state.services(), rt.state.evidence.count(probeId));
          if (rt.state.evidence.count(probeId) > 0) return finish();
          if (display.state === 'error') {
            finish();
            void reportFailure(rt, probeId, what, display.label);
            return;
          }
          if (display.state === 'expired') return finish();
          const message = display.state === 'bound' || display.state === 'partial' ? `${display.label} — waiting for the first hit…` : `${display.label}…`;
          if (message !== lastMessage) progress.report({ message: (lastMessage = message) });
        };
        const subscription = rt.state.onDidChange(check);
        const timer = setTimeout(() => finish(), FIRST_HIT_TIMEOUT_MS);
        cancelled.onCancellationRequested(() => finish());
        function finish() {
          subscription.dispose();
          clearTimeout(timer);
          resolve();
        }
        check();
      }),
  );
}

async function reportFailure(rt: Runtime, probeId: string, what: string, label: string): Promise<void> {
  const picked = await vscode.window.showErrorMessage(`Runtruth: the ${what} could not be placed — ${label}`, 'Remove it', 'Show deployed commit');
  if (picked === 'Remove it') await vscode.commands.executeCommand('runtruth.removeProbe', probeId);
  if (picked === 'Show deployed commit') await vscode.commands.executeCommand('runtruth.services.focus');
}
