import * as vscode from 'vscode';
import type { ConnectionManager, ConnectionState } from '../core/connection';
import type { Disposable } from '../core/emitter';
import { plural } from '../core/format';
import type { RuntimeState } from '../core/runtimeState';

/** Connection state and live agents at a glance; a click opens the side panel. */
export class StatusBar implements Disposable {
  private readonly item = vscode.window.createStatusBarItem('runtruth.status', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: Disposable[];

  constructor(private readonly connection: ConnectionManager, private readonly state: RuntimeState) {
    this.item.name = 'Runtruth';
    this.item.command = 'runtruth.openPanel';
    this.subscriptions = [connection.onDidChangeState(() => this.render()), state.onDidChange((c) => c.services && this.render())];
    this.render();
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }

  private render(): void {
    const s = this.connection.state;
    const { text, tooltip, warn } = describe(s, this.state.liveAgents());
    this.item.text = text;
    this.item.tooltip = new vscode.MarkdownString(`${tooltip}\n\n_Click to open the Runtruth live panel._`);
    this.item.backgroundColor = warn ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: text.replace(/\$\([^)]+\)\s*/g, ''), role: 'button' };
  }
}

function describe(s: ConnectionState, agents: number): { text: string; tooltip: string; warn: boolean } {
  switch (s.status) {
    case 'signedOut':
      return { text: '$(key) Runtruth: sign in', tooltip: `Not signed in to ${s.relay}. Run **Runtruth: Sign In**.`, warn: false };
    case 'connecting':
      return { text: '$(sync~spin) Runtruth', tooltip: `Connecting to ${s.relay}…`, warn: false };
    case 'connected':
      return { text: `$(pulse) Runtruth: ${plural(agents, 'agent')}`, tooltip: `Connected to ${s.relay} as ${s.identity.name} (${s.identity.role}); ${plural(agents, 'live agent')}.`, warn: false };
    case 'retrying':
      return { text: '$(debug-disconnect) Runtruth: reconnecting', tooltip: `${s.error.message}\n\nRetrying (attempt ${s.attempt}).`, warn: true };
    case 'failed':
      return { text: '$(error) Runtruth: offline', tooltip: s.error.message, warn: true };
  }
}
