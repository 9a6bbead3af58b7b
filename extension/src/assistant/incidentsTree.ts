import * as vscode from 'vscode';
import type { Incident } from '../../../backend/protocol';
import { incidentContext } from '../../core/assistant/incidents';
import type { Disposable } from '../../core/emitter';
import type { Runtime } from '../runtime';
import type { InvestigateArgs } from './investigationController';

/** What the Incidents view shows for one incident (also returned by `runtruth.incidentItems` for tests). */
export interface IncidentItem {
  id: string;
  label: string;
  description: string;
}

/**
 * Open incidents from the relay's alert webhook: listed when the connection comes up, updated by the relay's
 * `incident` push (a fired, repeated or resolved alert), newest first. "Investigate" starts the investigation
 * with the alert as its context.
 */
export class IncidentsTreeProvider implements vscode.TreeDataProvider<Incident>, Disposable {
  static readonly viewId = 'runtruth.incidents';
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private incidents = new Map<string, Incident>();
  private readonly subscriptions: Disposable[] = [];
  private unsubscribePush: (() => void) | undefined;

  constructor(private readonly rt: Runtime) {
    this.subscriptions.push(rt.connection.onDidChangeState((s) => (s.status === 'connected' ? void this.reload() : this.clear())));
    if (rt.connection.state.status === 'connected') void this.reload();
  }

  /** The open incidents, newest first. */
  open(): Incident[] {
    return [...this.incidents.values()].filter((i) => i.status === 'firing').sort((a, b) => b.startsAt.localeCompare(a.startsAt));
  }

  items(): IncidentItem[] {
    return this.open().map((i) => ({ id: i.id, label: i.title, description: describe(i) }));
  }

  getChildren(node?: Incident): Incident[] {
    return node ? [] : this.open();
  }

  getTreeItem(incident: Incident): vscode.TreeItem {
    const item = new vscode.TreeItem(incident.title, vscode.TreeItemCollapsibleState.None);
    item.id = incident.id;
    item.description = describe(incident);
    item.tooltip = [incident.summary, incident.description, Object.entries(incident.labels).map(([k, v]) => `${k}=${v}`).join(' ')].filter(Boolean).join('\n');
    item.iconPath = new vscode.ThemeIcon('flame', new vscode.ThemeColor(incident.severity === 'critical' ? 'editorError.foreground' : 'editorWarning.foreground'));
    item.contextValue = 'runtruth.incident';
    item.command = { command: 'runtruth.investigateIncident', title: 'Investigate', arguments: [incident.id] };
    return item;
  }

  /** The investigation arguments an incident gives: question, service and timeline from the alert. */
  async investigation(incidentId: string): Promise<InvestigateArgs> {
    const session = this.rt.connection.requireSession();
    const incident = await session.request('incidents.get', { incidentId });
    const { services } = await session.request('services.list', {});
    const context = incidentContext(incident, { services });
    for (const note of context.notes) this.rt.channels.log(`incident ${incident.id}: ${note}`);
    return { question: context.question, ...(context.service ? { service: context.service } : {}), incident: context.incident, incidentAt: context.incidentAt };
  }

  private async reload(): Promise<void> {
    try {
      const session = this.rt.connection.requireSession();
      this.unsubscribePush?.();
      this.unsubscribePush = session.onIncident((incident) => {
        this.incidents.set(incident.id, incident);
        this.changed.fire();
      });
      const { incidents } = await session.request('incidents.list', { status: 'firing', limit: 100 });
      this.incidents = new Map(incidents.map((i) => [i.id, i]));
      this.changed.fire();
    } catch (error) {
      // a viewer scoped away from every incident, or a relay without incidents: the view stays empty, the log says why
      this.rt.channels.log(`incidents: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private clear(): void {
    this.unsubscribePush?.();
    this.unsubscribePush = undefined;
    if (!this.incidents.size) return;
    this.incidents.clear();
    this.changed.fire();
  }

  dispose(): void {
    this.unsubscribePush?.();
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

function describe(incident: Incident): string {
  const started = new Date(incident.startsAt).toLocaleString();
  return [incident.service, incident.severity, `since ${started}`].filter(Boolean).join(' · ');
}
