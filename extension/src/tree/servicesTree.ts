import * as vscode from 'vscode';
import type { ConnectionManager } from '../../core/connection';
import type { Disposable } from '../../core/emitter';
import type { DisplayState } from '../../core/probeDisplay';
import type { RuntimeState } from '../../core/runtimeState';
import { probeKinds } from '../../core/probeKinds';
import { buildTree, type TreeNode } from '../../core/treeModel';

const PROBE_ICONS: Record<DisplayState, [string, string]> = {
  bound: ['debug-breakpoint-log', 'charts.blue'],
  partial: ['debug-breakpoint-log-unverified', 'charts.blue'],
  pending: ['debug-breakpoint-log-unverified', 'editorWarning.foreground'],
  error: ['error', 'editorError.foreground'],
  expired: ['debug-breakpoint-log-disabled', 'disabledForeground'],
  proposed: ['lightbulb', 'charts.purple'],
};

/** Services → instances → probes. Nodes are rebuilt from RuntimeState (core/treeModel) on every change. */
export class ServicesTreeProvider implements vscode.TreeDataProvider<TreeNode>, Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: Disposable[];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly state: RuntimeState, private readonly connection: ConnectionManager) {
    const refresh = () => (this.timer ??= setTimeout(() => ((this.timer = undefined), this.changed.fire()), 100));
    this.subscriptions = [state.onDidChange((c) => (c.services || c.probes) && refresh()), connection.onDidChangeState(refresh)];
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (node) return node.children;
    // signed out or offline with nothing known: an empty root lets the view's welcome content show instead
    if (this.connection.state.status !== 'connected' && !this.state.services().length) return [];
    return buildTree(this.state);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const expanded = node.kind === 'service' || (node.kind === 'instance' && node.connected && node.children.length > 0);
    const item = new vscode.TreeItem(node.label, node.children.length ? (expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    if (node.kind === 'note') return item;
    item.description = node.description;
    item.tooltip = node.tooltip;
    switch (node.kind) {
      case 'service':
        item.iconPath = new vscode.ThemeIcon('server-environment');
        item.contextValue = 'runtruth.service';
        break;
      case 'instance':
        item.iconPath = new vscode.ThemeIcon(node.connected ? 'vm-running' : 'vm-outline', new vscode.ThemeColor(node.connected ? 'testing.iconPassed' : 'disabledForeground'));
        item.contextValue = 'runtruth.instance';
        break;
      case 'probe': {
        const [stateIcon, color] = PROBE_ICONS[node.state];
        // a live probe shows what it is (logpoint, camera, chart); other states show the state
        const icon = node.state === 'bound' ? probeKinds[node.probeKind].icon : stateIcon;
        item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
        item.contextValue = node.state === 'proposed' ? 'runtruth.proposal' : 'runtruth.probe';
        item.command = { command: 'runtruth.revealProbe', title: 'Go to Probe', arguments: [node.probeId] };
        break;
      }
    }
    return item;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
