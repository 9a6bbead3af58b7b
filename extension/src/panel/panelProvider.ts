import * as vscode from 'vscode';
import { parsePanelMessage, type HostMessage, type PanelMessage } from '../../../webview/protocol';
import type { ConnectionManager } from '../../core/connection';
import { Emitter, type Disposable } from '../../core/emitter';
import { metricSeries } from '../../core/metricSeries';
import { connectionRow, evidenceRow, probeRow, serviceRows } from '../../core/panelModel';
import { probePermissions } from '../../core/permissions';
import { SnapshotFocus } from '../../core/snapshotFocus';
import { snapshotDetail } from '../../core/snapshotModel';
import type { SnapshotEvidence } from '../../../backend/protocol';
import type { RuntimeState } from '../../core/runtimeState';
import { panelHtml } from './panelHtml';
import type { InvestigationAction, InvestigationView } from '../../../webview/views/investigationProtocol';

/** The Investigation tab's host side (extension/src/assistant): carries out its actions and supplies its view. */
export interface InvestigationHost {
  act(action: InvestigationAction): Promise<void>;
  view(): InvestigationView;
}

export type PanelReport = Extract<PanelMessage, { type: 'rendered' }>;

/** How many stored items a freshly opened panel gets: the stream view shows the newest, the rest are a click away in the CLI. */
const INITIAL_EVIDENCE = 500;

/**
 * The "Live" webview view: pushes state and evidence to the panel (see webview/protocol.ts) and carries out what
 * the user asks there (remove, reveal, sign in) through the same commands as the rest of the UI.
 */
export class PanelProvider implements vscode.WebviewViewProvider, Disposable {
  static readonly viewId = 'runtruth.panel';
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private timer: NodeJS.Timeout | undefined;
  private pendingEvidence: HostMessage & { type: 'evidence' } = { type: 'evidence', rows: [], reset: false };
  private readonly rendered = new Emitter<PanelReport>();
  /** Fires each time the panel reports what it rendered. */
  readonly onDidRender = this.rendered.event;
  lastReport: PanelReport | undefined;
  private focusAfterReady: string | undefined;
  private readonly subscriptions: Disposable[];
  private readonly snapshots = new SnapshotFocus();
  private investigation: InvestigationHost | undefined;
  private selectInvestigationAfterReady = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly state: RuntimeState,
    private readonly connection: ConnectionManager,
    private readonly log: (line: string) => void,
  ) {
    this.subscriptions = [
      state.onDidChange((change) => {
        if (change.evidence) this.pendingEvidence.rows.push(...change.evidence.map((e) => evidenceRow(e, state)));
        const capture = change.evidence && this.snapshots.onEvidence(change.evidence);
        if (capture && this.ready) void this.postSnapshot(capture);
        this.schedule();
      }),
      connection.onDidChangeState(() => this.schedule()),
    ];
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview')] };
    view.webview.html = panelHtml(view.webview, this.extensionUri);
    view.webview.onDidReceiveMessage((raw) => void this.receive(raw));
    view.onDidDispose(() => {
      if (this.view === view) this.view = undefined;
    });
  }

  /** Shows the panel, optionally narrowed to one probe's evidence. */
  async show(probeId?: string): Promise<void> {
    await vscode.commands.executeCommand(`${PanelProvider.viewId}.focus`);
    if (!probeId) return;
    const capture = this.state.probe(probeId)?.spec.kind === 'snapshot' ? this.snapshots.focusProbe(probeId, this.state.evidence.all()) : undefined;
    if (capture && this.ready) void this.postSnapshot(capture);
    if (this.ready) void this.post({ type: 'focusProbe', probeId });
    else this.focusAfterReady = probeId;
  }

  attachInvestigation(host: InvestigationHost): void {
    this.investigation = host;
  }

  /** Sends the Investigation tab its view; `select` brings the tab forward (once the panel is ready). */
  postInvestigation(view: InvestigationView, select = false): Thenable<boolean> {
    if (!this.ready) {
      this.selectInvestigationAfterReady ||= select;
      return Promise.resolve(false);
    }
    return this.post({ type: 'investigation', view, ...(select ? { select } : {}) });
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.rendered.dispose();
  }

  private async receive(raw: unknown): Promise<void> {
    const message = parsePanelMessage(raw);
    if (!message) return this.log(`ignored an unexpected message from the panel: ${JSON.stringify(raw).slice(0, 200)}`);
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.pendingEvidence = { type: 'evidence', rows: [], reset: false };
        await this.post(this.stateMessage());
        await this.post({ type: 'evidence', reset: true, rows: this.state.evidence.all().slice(-INITIAL_EVIDENCE).map((e) => evidenceRow(e, this.state)) });
        {
          const capture = this.snapshots.latest(this.state.evidence.all());
          if (capture) await this.postSnapshot(capture);
        }
        if (this.focusAfterReady) void this.post({ type: 'focusProbe', probeId: this.focusAfterReady });
        this.focusAfterReady = undefined;
        if (this.investigation) void this.post({ type: 'investigation', view: this.investigation.view(), ...(this.selectInvestigationAfterReady ? { select: true } : {}) });
        this.selectInvestigationAfterReady = false;
        return;
      case 'rendered':
        this.lastReport = message;
        this.rendered.fire(message);
        return;
      case 'removeProbe':
        await vscode.commands.executeCommand('runtruth.removeProbe', message.probeId);
        return;
      case 'revealProbe':
        await vscode.commands.executeCommand('runtruth.revealProbe', message.probeId);
        return;
      case 'probeCommand':
        await vscode.commands.executeCommand({ extend: 'runtruth.extendProbe', approve: 'runtruth.approveProbe', reject: 'runtruth.rejectProbe' }[message.command], message.probeId);
        return;
      case 'openSnapshot': {
        const capture = this.snapshots.open(message.evidenceId, this.state.evidence.all());
        if (capture) await this.postSnapshot(capture);
        return;
      }
      case 'investigationAction':
        await this.investigation?.act(message.action);
        return;
      case 'action':
        await vscode.commands.executeCommand({ signIn: 'runtruth.signIn', openSettings: 'runtruth.openSettings', retry: 'runtruth.reconnect' }[message.action]);
        return;
    }
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (!this.view || !this.ready) return void (this.pendingEvidence.rows = []); // 'ready' sends everything anyway
      void this.post(this.stateMessage());
      if (this.pendingEvidence.rows.length) void this.post(this.pendingEvidence);
      this.pendingEvidence = { type: 'evidence', rows: [], reset: false };
    }, 50);
  }

  private stateMessage(): HostMessage {
    const now = Date.now();
    return {
      type: 'state',
      connection: connectionRow(this.connection.state, this.state.liveAgents()),
      services: serviceRows(this.state.services()),
      probes: this.state.probes().map((p) => probeRow(p, this.state, now)),
      permissions: probePermissions(this.connection.session?.identity),
      metrics: metricSeries(this.state.probes(), this.state.evidence),
    };
  }

  private postSnapshot(e: SnapshotEvidence): Thenable<boolean> {
    const spec = this.state.probe(e.probeId)?.spec;
    return this.post({ type: 'snapshot', snapshot: snapshotDetail(e, spec ? `${spec.file}:${spec.line}` : e.probeId) });
  }

  private post(message: HostMessage): Thenable<boolean> {
    return this.view?.webview.postMessage(message) ?? Promise.resolve(false);
  }
}
