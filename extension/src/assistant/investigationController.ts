import * as vscode from 'vscode';
import type { InvestigationAction, InvestigationView } from '../../../webview/views/investigationProtocol';
import type { InvestigationEvent } from '../../core/assistant/events';
import { repoRoot } from '../../core/assistant/git/run';
import { InvestigationRunner, type StartInvestigation } from '../../core/assistant/ide/investigationRunner';
import type { Investigation } from '../../core/assistant/investigator';
import type { RelayLike } from '../../core/assistant/runtime';
import type { Disposable } from '../../core/emitter';
import type { InvestigationHost } from '../panel/panelProvider';
import type { Runtime } from '../runtime';
import { showUserError } from '../userErrors';
import { firstEditorModel, type EditorModel } from '../chat/vscodeChatModel';
import { modelChoiceFor } from './modelKey';

/** What `runtruth.investigate` accepts (all optional: the Investigation tab asks for the question). */
export interface InvestigateArgs {
  question?: string;
  service?: string;
  /** A folder inside the service's git repository; default: the first workspace folder. */
  repo?: string;
  /** 'auto' (runtruth.assistant.model decides: a model with its stored key, else a VS Code chat model, else built-in), 'builtin', or a model to use. */
  investigator?: 'auto' | 'builtin' | EditorModel;
  maxMinutes?: number;
  roundSeconds?: number;
  /** The alert the investigation starts from (see incidentsTree). */
  incident?: { id: string; title: string };
  incidentAt?: Date;
}

/**
 * The editor side of investigations: one runner (extension/core/assistant/ide), the Investigation tab in the
 * side panel as its face, and the editor actions (save the report, go to a line). Listeners (the chat
 * participant) can follow the events of the investigation that runs.
 */
export class InvestigationController implements InvestigationHost, Disposable {
  readonly runner: InvestigationRunner;
  private timer: NodeJS.Timeout | undefined;
  private selectNext = false;
  private readonly eventListeners = new Set<(e: InvestigationEvent) => void>();
  private readonly subscriptions: Disposable[];

  constructor(private readonly rt: Runtime) {
    this.runner = new InvestigationRunner(
      {
        session: () => this.relay(),
        onChange: () => this.schedule(),
        onEvent: (e) => this.eventListeners.forEach((l) => l(e)),
        log: rt.channels.log,
      },
      { question: '', services: [], service: '', repo: workspaceRepo() ?? '' },
    );
    this.subscriptions = [rt.state.onDidChange(() => this.refreshDefaults()), rt.connection.onDidChangeState(() => this.refreshDefaults())];
    rt.panel.attachInvestigation(this);
  }

  /** The signed-in session as the assistant uses it (throws the user-facing reason when signed out). */
  relay(): RelayLike {
    return asRelayLike(this.rt.connection.requireSession());
  }

  view(): InvestigationView {
    return this.runner.view;
  }

  /** Follows the events of investigations (the chat participant streams them). */
  onEvent(listener: (e: InvestigationEvent) => void): Disposable {
    this.eventListeners.add(listener);
    return { dispose: () => void this.eventListeners.delete(listener) };
  }

  /** Starts an investigation and shows it in the side panel; resolves with its result. */
  async investigate(args: InvestigateArgs = {}): Promise<Investigation> {
    const question = args.question?.trim();
    const folder = args.repo ?? workspaceRepo();
    if (!question) throw new Error('Ask a question to investigate, e.g. "Why are high-value trades no longer flagged since the last deploy?"');
    if (!folder) throw new Error('Open the service\'s git repository as a workspace folder first: the investigation reads its history.');
    // the repository's root (VS Code's git extension knows it for open repositories): report paths are relative to it
    const repo = await repoRoot(folder).catch(() => folder);
    const model = args.investigator === 'builtin' ? undefined : args.investigator && args.investigator !== 'auto' ? args.investigator : await this.chooseModel();
    const start: StartInvestigation = { question, repo, ...(args.service ? { service: args.service } : {}), ...(model ? { model } : {}), ...(args.maxMinutes ? { maxMinutes: args.maxMinutes } : {}), ...(args.roundSeconds ? { roundSeconds: args.roundSeconds } : {}), ...(args.incident ? { incident: args.incident } : {}), ...(args.incidentAt ? { incidentAt: args.incidentAt } : {}) };
    this.selectNext = true;
    void this.rt.panel.show();
    return this.runner.start(start);
  }

  /**
   * The model runtruth.assistant.model names (with its key from SecretStorage), else `editor` (default: VS Code's
   * first chat model), else undefined for the built-in investigator. Throws a ModelChoiceError (with Open
   * Settings) when the setting cannot be honoured: a person who named a model never silently gets another.
   */
  async chooseModel(editor: () => PromiseLike<EditorModel | undefined> = firstEditorModel): Promise<EditorModel | undefined> {
    const choice = await modelChoiceFor(this.rt.context.secrets, editor);
    this.rt.channels.log(`investigation engine: ${choice.engine === 'builtin' ? `built-in (${choice.reason})` : choice.name}`);
    return choice.engine === 'builtin' ? undefined : { model: choice.model, name: choice.name };
  }

  /** The Investigation tab's actions. */
  async act(action: InvestigationAction): Promise<void> {
    try {
      switch (action.kind) {
        case 'start':
          void this.investigate({ question: action.question, ...(action.service ? { service: action.service } : {}) }).catch((e) => showUserError(e, this.rt.settings().relay));
          return;
        case 'save':
          await this.saveReport();
          return;
        case 'reveal':
          await this.reveal(action.file, action.line);
          return;
        default:
          await this.runner.act(action);
      }
    } catch (error) {
      void showUserError(error, this.rt.settings().relay);
    }
  }

  /** Writes the report (Markdown) to `target`, or where the person picks; returns the file, if saved. */
  async saveReport(target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const report = this.runner.view.report;
    if (!report) throw new Error('There is no report yet: it is written when the investigation concludes.');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = target ?? (await vscode.window.showSaveDialog({ filters: { Markdown: ['md'] }, ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, 'runtruth-rca.md') } : {}), saveLabel: 'Save report' }));
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(report));
    this.runner.noteSaved(vscode.workspace.asRelativePath(uri));
    return uri;
  }

  async reveal(file: string, line: number): Promise<void> {
    const repo = this.runner.view.repo ?? workspaceRepo();
    if (!repo) return;
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(`${repo.replace(/\/+$/, '')}/${file}`), { preview: false });
    const position = new vscode.Position(Math.max(0, line - 1), 0);
    editor.selection = new vscode.Selection(position, position);
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.runner.stop();
    for (const s of this.subscriptions) s.dispose();
    this.eventListeners.clear();
  }

  private refreshDefaults(): void {
    const state = this.rt.connection.state;
    const services = this.rt.state.services().map((s) => s.service);
    const only = services.length === 1 ? services[0]! : '';
    this.runner.setDefaults({ services, service: this.runner.view.defaults.service || only, repo: workspaceRepo() ?? '' }, state.status !== 'connected' || state.identity.role !== 'viewer');
  }

  /** Posts the view at most every 100 ms: evidence arrives far faster than anyone reads. */
  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.rt.panel.postInvestigation(this.runner.view, this.selectNext);
      this.selectNext = false;
    }, 100);
  }
}

function workspaceRepo(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file' || f.uri.scheme === 'vscode-remote');
  return folder?.uri.path;
}

/** The connection's session is a RelayClient; the investigation also follows probe-state changes on it. */
function asRelayLike(session: ReturnType<Runtime['connection']['requireSession']>): RelayLike {
  const withState = session as typeof session & Partial<Pick<RelayLike, 'onProbeState'>>;
  return { ...bind(session), onProbeState: withState.onProbeState ? withState.onProbeState.bind(session) : () => () => undefined };
}

function bind(s: ReturnType<Runtime['connection']['requireSession']>): Omit<RelayLike, 'onProbeState'> {
  return { identity: s.identity, request: s.request.bind(s), subscribe: s.subscribe.bind(s), unsubscribe: s.unsubscribe.bind(s), onStatus: s.onStatus.bind(s) };
}
