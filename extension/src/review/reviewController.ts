import * as vscode from 'vscode';
import type { RelaySession } from '../../core/connection';
import { checkedOut, repoRoot } from '../../core/assistant/git/run';
import { relayRuntime, type RelayLike } from '../../core/assistant/runtime';
import { externalReviewApprover, lowRiskReviewApprover, type ReviewApprover } from '../../core/review/approval';
import type { ReviewEvent } from '../../core/review/events';
import { renderReviewMarkdown } from '../../core/review/markdown';
import { reviewBranch } from '../../core/review/review';
import type { ReviewReport } from '../../core/review/schema';
import type { Runtime } from '../runtime';

/** What `runtruth.reviewBranch` accepts; everything left out is asked for (or defaulted). */
export interface ReviewArgs {
  service?: string;
  /** `deployed` (default) or a ref. */
  base?: string;
  /** Default: the workspace's current branch. */
  head?: string;
  /** A folder inside the service's repository; default: the first workspace folder. */
  repo?: string;
  windowSeconds?: number;
  /** Approve the low-risk probes as the signed-in person without asking. */
  approveLowRisk?: boolean;
}

/** The last review (its report, Markdown and repository) and how to run one from the editor. */
export class ReviewController implements vscode.Disposable {
  report: ReviewReport | undefined;
  markdown: string | undefined;
  repo: string | undefined;
  private readonly changes = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changes.event;

  constructor(private readonly rt: Runtime) {}

  /** Runs a review with progress (cancellable: the probes are removed and the report says what it got). */
  async run(args: ReviewArgs): Promise<ReviewReport | undefined> {
    const session = this.rt.connection.requireSession();
    const repo = await repoRoot(args.repo ?? workspaceFolder() ?? '.');
    const service = args.service ?? (await pickService(session));
    if (!service) return undefined;
    const head = args.head ?? (await currentBranch(repo));
    const windowSeconds = args.windowSeconds ?? (await askWindow());
    if (windowSeconds === undefined) return undefined;
    const relay = asRelayLike(session);
    const approver = await chooseApprover(relay, args.approveLowRisk);
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Runtruth: reviewing ${head} against live ${service}`, cancellable: true },
      async (progress, token) => {
        const stop = new AbortController();
        token.onCancellationRequested(() => stop.abort());
        return reviewBranch({
          repo,
          runtime: relayRuntime(relay),
          approver,
          service,
          head,
          windowSeconds,
          ...(args.base ? { base: args.base } : {}),
          policy: async () => (await session.request('policy.get', {})).policy,
          signal: stop.signal,
          onEvent: (e) => {
            const text = progressText(e, approver);
            if (text) progress.report({ message: text });
            this.rt.channels.log(`review: ${JSON.stringify(e)}`);
          },
        });
      },
    );
    this.report = report;
    this.markdown = renderReviewMarkdown(report);
    this.repo = repo;
    this.changes.fire();
    return report;
  }

  dispose(): void {
    this.changes.dispose();
  }
}

function progressText(e: ReviewEvent, approver: ReviewApprover): string | undefined {
  switch (e.type) {
    case 'planned':
      return `${e.hunks} hunks, proposing ${e.probes} read-only probes; ${approver.describe}`;
    case 'collecting':
      return `measuring for ${e.seconds}s with ${e.probes} live probes…`;
    case 'removed':
      return `removed ${e.count} probes`;
    default:
      return undefined;
  }
}

async function chooseApprover(relay: RelayLike, approveLowRisk: boolean | undefined): Promise<ReviewApprover> {
  if (relay.identity.ai) return externalReviewApprover;
  let approve = approveLowRisk;
  if (approve === undefined) {
    const yes = 'Approve low-risk probes';
    const picked = await vscode.window.showInformationMessage(
      'Runtruth proposes hit counters and value captures on the deployed lines this branch changes. Approve the low-risk ones as you?',
      { modal: true },
      yes,
      'Wait for someone to approve',
    );
    if (picked === undefined) throw new vscode.CancellationError();
    approve = picked === yes;
  }
  return approve ? lowRiskReviewApprover(relay) : externalReviewApprover;
}

async function pickService(session: RelaySession): Promise<string | undefined> {
  const { services } = await session.request('services.list', {});
  const live = services.filter((s) => s.instances.some((i) => i.connected));
  if (live.length === 1) return live[0]!.service;
  if (!live.length) throw new Error('no service is connected to the relay: start one with the agent first');
  const picked = await vscode.window.showQuickPick(
    live.map((s) => ({ label: s.service, description: `${s.instances.filter((i) => i.connected).length} instance(s)`, detail: [...new Set(s.instances.map((i) => i.commit).filter(Boolean))].map((c) => c!.slice(0, 8)).join(', ') })),
    { placeHolder: 'Review against which running service?' },
  );
  return picked?.label;
}

async function askWindow(): Promise<number | undefined> {
  const raw = await vscode.window.showInputBox({
    title: 'Runtruth: Review Branch Against Live Behaviour',
    prompt: 'How many seconds of live traffic to measure (at least 10)',
    value: '30',
    validateInput: (v) => (/^\d+$/.test(v) && Number(v) >= 10 ? undefined : 'a whole number of seconds, at least 10'),
  });
  return raw === undefined ? undefined : Number(raw);
}

/** The branch checked out in the workspace (its commit when detached), as VS Code's git extension knows it or git says. */
export async function currentBranch(repo: string): Promise<string> {
  return checkedOut(repo);
}

function workspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file' || f.uri.scheme === 'vscode-remote')?.uri.path;
}

function asRelayLike(s: RelaySession): RelayLike {
  const withState = s as RelaySession & Partial<Pick<RelayLike, 'onProbeState'>>;
  return {
    identity: s.identity,
    request: s.request.bind(s),
    subscribe: s.subscribe.bind(s),
    unsubscribe: s.unsubscribe.bind(s),
    onStatus: s.onStatus.bind(s),
    onProbeState: withState.onProbeState ? withState.onProbeState.bind(s) : () => () => undefined,
  };
}
