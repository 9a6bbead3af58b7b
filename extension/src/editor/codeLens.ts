import * as vscode from 'vscode';
import type { Disposable } from '../../core/emitter';
import { probeLenses } from '../../core/lensModel';
import { probeDisplay } from '../../core/probeDisplay';
import type { RuntimeState } from '../../core/runtimeState';
import type { LineAnchors } from './anchors';
import { probesInDocument } from './documentProbes';

/** `Snapshot · 3 hits · open in panel` over each probed line; refreshed (debounced) as state changes. */
export class ProbeCodeLensProvider implements vscode.CodeLensProvider, Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: Disposable;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly state: RuntimeState,
    private readonly anchors: LineAnchors,
  ) {
    this.subscription = state.onDidChange(() => (this.timer ??= setTimeout(() => ((this.timer = undefined), this.changed.fire()), 250)));
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const services = this.state.services();
    return probesInDocument(document, this.state, this.anchors).flatMap(({ probe, line }) => {
      const range = document.lineAt(Math.min(line, document.lineCount - 1)).range;
      return probeLenses(probe, probeDisplay(probe, services, this.state.evidence.count(probe.spec.id))).map(
        (lens) => new vscode.CodeLens(range, { title: lens.title, command: lens.command, tooltip: lens.tooltip, arguments: [probe.spec.id] }),
      );
    });
  }

  /** Anchors moved under the user's typing: lenses follow at once. */
  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription.dispose();
    this.changed.dispose();
  }
}
