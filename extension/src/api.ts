import * as vscode from 'vscode';
import type { Evidence, ServiceView } from '../../backend/protocol';
import type { ConnectionState } from '../core/connection';
import type { Event } from '../core/emitter';
import type { StateChange, TrackedProbe } from '../core/runtimeState';
import type { TreeNode } from '../core/treeModel';
import type { DrawnProbe } from './editor/decorator';
import type { PanelReport } from './panel/panelProvider';
import type { Runtime } from './runtime';

/**
 * What `activate()` returns: a read-only view of Runtruth for companion extensions (an AI assistant that wants
 * to read evidence) and for the integration tests. Changing anything goes through the `runtruth.*` commands.
 */
export interface RuntruthApi {
  readonly apiVersion: 1;
  connectionState(): ConnectionState;
  readonly onDidChangeConnection: Event<ConnectionState>;
  services(): readonly ServiceView[];
  probes(): readonly TrackedProbe[];
  evidence(probeId?: string): readonly Evidence[];
  readonly onDidChangeState: Event<StateChange>;
  /** What Runtruth currently shows: gutter/inline per document, the services tree, the side panel's last report. */
  readonly inspect: {
    decorations(uri: vscode.Uri): DrawnProbe[];
    tree(): TreeNode[];
    panel(): PanelReport | undefined;
    readonly onDidRenderPanel: Event<PanelReport>;
  };
}

export function createApi(rt: Runtime): RuntruthApi {
  return {
    apiVersion: 1,
    connectionState: () => rt.connection.state,
    onDidChangeConnection: rt.connection.onDidChangeState,
    services: () => rt.state.services(),
    probes: () => rt.state.probes(),
    evidence: (probeId) => (probeId ? rt.state.evidence.forProbe(probeId) : rt.state.evidence.all()),
    onDidChangeState: rt.state.onDidChange,
    inspect: {
      decorations: (uri) => rt.decorator.drawnIn(uri.toString()),
      tree: () => rt.tree.getChildren(),
      panel: () => rt.panel.lastReport,
      onDidRenderPanel: rt.panel.onDidRender,
    },
  };
}
