import type { LanguageModel } from 'ai';
import type { InvestigationAction, InvestigationView } from '../../../../webview/views/investigationProtocol';
import { externalApprover } from '../approval';
import type { InvestigationEvent } from '../events';
import { investigate, type Investigation } from '../investigator';
import { runModelInvestigation } from '../model/loop';
import { relayRuntime, type RelayLike } from '../runtime';
import { applyEvent, idleView, startedView } from './investigationView';

export interface StartInvestigation {
  question: string;
  /** The service to investigate; empty: chosen from the question. */
  service?: string;
  /** The workspace folder: a directory inside the service's git repository. */
  repo: string;
  /** A chat model drives it when given; otherwise the built-in investigator. */
  model?: { model: LanguageModel; name: string };
  /** Investigation budget in minutes (default 5). */
  maxMinutes?: number;
  /** Seconds to wait for evidence per round (default 60). */
  roundSeconds?: number;
  /** The alert it starts from (a relay incident): the timeline starts at `incidentAt`, the report names it. */
  incident?: { id: string; title: string };
  incidentAt?: Date;
}

export interface RunnerDeps {
  /** The signed-in relay session (throws the user-facing reason when there is none). */
  session(): RelayLike;
  onChange(view: InvestigationView): void;
  /** Extra listener for each event (the chat participant streams them). */
  onEvent?(event: InvestigationEvent): void;
  log(line: string): void;
}

/** A person's decision or a start while one runs: one clear message for the UI. */
export class InvestigationStateError extends Error {
  override name = 'InvestigationStateError';
}

/**
 * One investigation at a time in the editor: runs the built-in investigator (or a model's tool loop) with the
 * signed-in person's connection, keeps the view the Investigation tab shows, and carries out the person's
 * decisions. Probes are always proposals: nothing runs until the person approves it here (or the relay's
 * policy auto-approves it). The probes stay after the investigation (within their TTL) so the editor keeps
 * showing their evidence inline; they expire on their own.
 */
export class InvestigationRunner {
  private current: InvestigationView;
  private abort: AbortController | undefined;
  private running: Promise<Investigation> | undefined;
  last: Investigation | undefined;

  constructor(private readonly deps: RunnerDeps, defaults: InvestigationView['defaults']) {
    this.current = idleView(defaults, true);
  }

  get view(): InvestigationView {
    return this.current;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Updates the start form's defaults (services at the relay, the workspace folder) and the decide right. */
  setDefaults(defaults: Partial<InvestigationView['defaults']>, canDecide: boolean): void {
    const next = { ...this.current.defaults, ...defaults };
    // called on every state change (evidence streams in): only a real change reaches the panel
    if (canDecide === this.current.canDecide && JSON.stringify(next) === JSON.stringify(this.current.defaults)) return;
    this.update({ ...this.current, defaults: next, canDecide });
  }

  /** Starts an investigation; resolves with its result when it concludes. */
  start(options: StartInvestigation): Promise<Investigation> {
    if (this.running) throw new InvestigationStateError('An investigation is already running: stop it first.');
    const client = this.deps.session();
    const abort = new AbortController();
    this.abort = abort;
    this.last = undefined;
    this.update(startedView(this.current, { question: options.question, ...(options.service ? { service: options.service } : {}), repo: options.repo, investigator: options.model?.name ?? 'builtin' }));
    const common = {
      question: options.question,
      repo: options.repo,
      runtime: relayRuntime(client),
      approver: externalApprover,
      ...(options.service ? { service: options.service } : {}),
      ...(options.incident ? { incident: options.incident } : {}),
      ...(options.incidentAt ? { incidentAt: options.incidentAt } : {}),
      keepProbes: true,
      maxMinutes: options.maxMinutes ?? 5,
      signal: abort.signal,
      onEvent: (event: InvestigationEvent) => {
        this.update(applyEvent(this.current, event));
        this.deps.onEvent?.(event);
      },
    };
    const run = options.model ? runModelInvestigation({ ...common, model: options.model.model }) : investigate({ ...common, ...(options.roundSeconds ? { roundSeconds: options.roundSeconds } : {}) });
    this.running = run.then(
      (done) => {
        this.last = done;
        // 'finished' carried status and report; a stop keeps them but says so
        if (abort.signal.aborted) this.update({ ...this.current, status: 'stopped' });
        return done;
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.deps.log(`investigation failed: ${message}`);
        this.update({ ...this.current, status: 'failed', error: message });
        throw error;
      },
    );
    this.running.then(
      () => (this.running = undefined),
      () => (this.running = undefined),
    );
    return this.running;
  }

  /** Stops waiting for approvals and evidence; the investigation concludes with what it has. */
  stop(): void {
    this.abort?.abort();
  }

  /** Approves or rejects one of this investigation's proposals, as the signed-in person. */
  async decide(probeId: string, approve: boolean, reason = 'rejected in the Investigation view'): Promise<void> {
    const proposal = this.current.proposals.find((p) => p.probeId === probeId);
    if (!proposal) throw new InvestigationStateError(`${probeId} is not one of this investigation's proposals.`);
    if (proposal.state !== 'proposed') throw new InvestigationStateError(`${probeId} was already decided (${proposal.state}).`);
    const client = this.deps.session();
    if (approve) await client.request('probe.approve', { probeId });
    else await client.request('probe.reject', { probeId, reason });
  }

  /** Approves every waiting proposal the assistant judged low risk; returns the ids approved. */
  async approveLowRisk(): Promise<string[]> {
    const ids = this.current.proposals.filter((p) => p.state === 'proposed' && p.risk.low).map((p) => p.probeId);
    for (const id of ids) await this.decide(id, true);
    return ids;
  }

  /** Carries out a webview action other than start/save/reveal (those need the editor). */
  async act(action: Extract<InvestigationAction, { kind: 'approve' | 'reject' | 'approveLowRisk' | 'stop' }>): Promise<void> {
    if (action.kind === 'approve' || action.kind === 'reject') return this.decide(action.probeId, action.kind === 'approve');
    if (action.kind === 'approveLowRisk') return void (await this.approveLowRisk());
    this.stop();
  }

  noteSaved(path: string): void {
    this.update({ ...this.current, savedTo: path });
  }

  private update(view: InvestigationView): void {
    this.current = view;
    this.deps.onChange(view);
  }
}
