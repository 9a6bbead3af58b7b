import type * as vscode from 'vscode';
import type { ConnectionManager } from '../core/connection';
import type { RelaySync } from '../core/relaySync';
import type { RuntimeState } from '../core/runtimeState';
import type { LineAnchors } from './editor/anchors';
import type { Decorator } from './editor/decorator';
import type { LogChannels } from './logChannels';
import type { PanelProvider } from './panel/panelProvider';
import type { ServicesTreeProvider } from './tree/servicesTree';
import type { Settings } from './settings';
import type { TokenStore } from './tokenStore';

/** Everything the commands work with, created once in activate() and passed in (nothing is a module singleton). */
export interface Runtime {
  context: vscode.ExtensionContext;
  settings(): Settings;
  state: RuntimeState;
  connection: ConnectionManager;
  sync: RelaySync;
  tokens: TokenStore;
  anchors: LineAnchors;
  decorator: Decorator;
  panel: PanelProvider;
  tree: ServicesTreeProvider;
  channels: LogChannels;
}
