import * as vscode from 'vscode';
import type { Evidence } from '../../backend/protocol';
import type { Disposable } from '../core/emitter';
import { evidenceLine } from '../core/probeKinds';
import type { RuntimeState } from '../core/runtimeState';
import type { Settings } from './settings';

/** Two LogOutputChannels: the extension's own diagnostics, and logpoint output (one line per hit). */
export class LogChannels implements Disposable {
  readonly diagnostics = vscode.window.createOutputChannel('Runtruth', { log: true });
  readonly logpoints = vscode.window.createOutputChannel('Runtruth Logpoints', { log: true });
  private readonly subscription: Disposable;

  constructor(state: RuntimeState, settings: () => Settings) {
    this.subscription = state.onDidChange((change) => {
      if (!change.evidence || settings().logpointOutput !== 'outputChannel') return;
      for (const e of change.evidence) this.writeEvidence(e, state);
    });
  }

  readonly log = (line: string): void => this.diagnostics.info(line);

  dispose(): void {
    this.subscription.dispose();
    this.diagnostics.dispose();
    this.logpoints.dispose();
  }

  private writeEvidence(e: Evidence, state: RuntimeState): void {
    if (e.kind === 'gap') return this.logpoints.warn(evidenceLine(e));
    const spec = state.probe(e.probeId)?.spec;
    const where = spec ? `${spec.file}:${spec.line}` : e.probeId;
    this.logpoints.info(`[${e.service}/${e.instance}] ${where} ${evidenceLine(e)}`);
  }
}
