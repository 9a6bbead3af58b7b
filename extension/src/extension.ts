import * as vscode from 'vscode';
import { RelayClient } from '../../backend/client/relayClient';
import { ConnectionManager } from '../core/connection';
import { RelaySync } from '../core/relaySync';
import { RuntimeState } from '../core/runtimeState';
import { createApi, type RuntruthApi } from './api';
import { useEditorGit } from './assistant/gitApi';
import { registerAssistant } from './assistant/register';
import { registerReview } from './review/register';
import { registerCommands } from './commands/register';
import { LineAnchors } from './editor/anchors';
import { ProbeCodeLensProvider } from './editor/codeLens';
import { Decorator } from './editor/decorator';
import { ProbeHoverProvider } from './editor/hover';
import { LogChannels } from './logChannels';
import { registerMcpServerProvider } from './mcp/provider';
import { PanelProvider } from './panel/panelProvider';
import type { Runtime } from './runtime';
import { readSettings } from './settings';
import { StatusBar } from './statusBar';
import { TokenStore } from './tokenStore';
import { ServicesTreeProvider } from './tree/servicesTree';

/**
 * Wires the pieces together and returns at once: connecting happens in the background, so activation costs
 * nothing on the editor's critical path.
 */
export function activate(context: vscode.ExtensionContext): RuntruthApi {
  const settings = readSettings;
  const state = new RuntimeState();
  const channels = new LogChannels(state, settings);
  const version = String((context.extension.packageJSON as { version?: string }).version ?? '0');
  const connection = new ConnectionManager({
    connector: ({ relay, token }) => RelayClient.connect({ relay, token, clientName: 'runtruth-vscode', clientVersion: version, timeoutMs: 5000 }),
    log: channels.log,
  });
  const sync = new RelaySync(connection, state, { refreshMs: () => settings().refreshSeconds * 1000, log: channels.log });
  const tokens = new TokenStore(context.secrets);
  // anchors call back only on edits, after activation, so `decorator` and `codeLens` are assigned by then
  const anchors = new LineAnchors((document) => {
    decorator.redraw(document);
    codeLens.refresh();
  });
  const decorator = new Decorator(context.extensionUri, state, anchors, settings);
  const codeLens = new ProbeCodeLensProvider(state, anchors);
  const panel = new PanelProvider(context.extensionUri, state, connection, channels.log);
  const tree = new ServicesTreeProvider(state, connection);
  const rt: Runtime = { context, settings, state, connection, sync, tokens, anchors, decorator, panel, tree, channels };

  context.subscriptions.push(
    channels,
    { dispose: () => connection.dispose() },
    sync,
    anchors,
    decorator,
    panel,
    tree,
    new StatusBar(connection, state),
    vscode.window.registerWebviewViewProvider(PanelProvider.viewId, panel),
    vscode.window.createTreeView('runtruth.services', { treeDataProvider: tree, showCollapseAll: true }),
    vscode.languages.registerHoverProvider([{ scheme: 'file' }, { scheme: 'vscode-remote' }, { scheme: 'untitled' }], new ProbeHoverProvider(state, anchors)),
    codeLens,
    vscode.languages.registerCodeLensProvider([{ scheme: 'file' }, { scheme: 'vscode-remote' }, { scheme: 'untitled' }], codeLens),
    ...registerCommands(rt),
    ...registerMcpServerProvider(rt),
    useEditorGit(channels.log),
    ...registerAssistant(rt),
    ...registerReview(rt),
    connection.onDidChangeState((s) => void vscode.commands.executeCommand('setContext', 'runtruth.connected', s.status === 'connected')),
    tokens.onDidChange((relay) => relay === settings().relay.replace(/\/+$/, '') && void connectFromSettings(rt)),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('runtruth.relay') && void connectFromSettings(rt)),
    { dispose: () => state.dispose() },
  );
  void connectFromSettings(rt);
  return createApi(rt);
}

export function deactivate(): void {
  // everything is in context.subscriptions
}

/** (Re)connects to the configured relay with the token stored for it; signed out when there is none. */
async function connectFromSettings(rt: Runtime): Promise<void> {
  const { relay } = rt.settings();
  const token = await rt.tokens.get(relay);
  // a sign-in for this relay may have happened while the secret was read: never undo it with the stale answer
  const now = rt.connection.state;
  if (!token && now.relay === relay && now.status !== 'signedOut' && now.status !== 'failed') return;
  rt.connection.configure(relay, token);
}
