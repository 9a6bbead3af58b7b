import type { ConnectionManager, RelaySession } from './connection';
import type { Disposable } from './emitter';
import type { RuntimeState } from './runtimeState';

/** How much recent evidence to fetch on first connect, so the panel is not empty until traffic arrives. */
export const BACKLOG_ITEMS = 200;

export interface SyncOptions {
  /** How often to re-read services and probes: a fallback, since the relay pushes instance, probe and evidence changes. */
  refreshMs: () => number;
  log: (line: string) => void;
}

/**
 * Mirrors the relay into RuntimeState for each session: services and probes (polled), probe statuses and
 * evidence (pushed). On a reconnect the evidence subscription resumes after the last item seen, so a relay
 * restart loses nothing the relay stored.
 */
export class RelaySync implements Disposable {
  private readonly subscriptions: Disposable[] = [];
  private sessionCleanup: (() => void) | undefined;

  constructor(
    private readonly connection: ConnectionManager,
    private readonly state: RuntimeState,
    private readonly options: SyncOptions,
  ) {
    this.subscriptions.push(connection.onDidConnect((session) => void this.attach(session)));
    this.subscriptions.push(
      connection.onDidChangeState((s) => {
        if (s.status !== 'connected' && s.status !== 'connecting') this.detach();
      }),
    );
  }

  /** Re-reads services and probes now (after a probe change, or when the user asks). */
  async refresh(): Promise<void> {
    const session = this.connection.session;
    if (session) await this.load(session);
  }

  dispose(): void {
    this.detach();
    for (const d of this.subscriptions.splice(0)) d.dispose();
  }

  private async attach(session: RelaySession): Promise<void> {
    this.detach();
    const offStatus = session.onStatus((probeId, statuses) => this.state.setStatuses(probeId, statuses));
    const offInstance = session.onInstance((event) => this.state.applyInstance(event.service, event.instance));
    const offProbeState = session.onProbeState((view) => this.state.applyProbeState(view));
    let timer: NodeJS.Timeout | undefined;
    let attached = true; // per session: a refresh finishing after a reconnect must not start a second loop
    const schedule = () => {
      timer = setTimeout(() => void this.load(session).finally(() => attached && schedule()), this.options.refreshMs());
    };
    this.sessionCleanup = () => {
      attached = false;
      offStatus();
      offInstance();
      offProbeState();
      clearTimeout(timer);
    };
    try {
      await this.load(session);
      const resumeAfter = this.state.evidence.lastEvidenceId;
      const { lastId } = await session.subscribe(resumeAfter ? { afterId: resumeAfter } : {}, (items) => this.state.addEvidence(items));
      if (!resumeAfter && lastId > 0) {
        const backlog = await session.request('evidence.query', { afterId: Math.max(0, lastId - BACKLOG_ITEMS), limit: BACKLOG_ITEMS });
        this.state.addEvidence(backlog.items.filter((e) => e.kind !== 'gap'));
      }
      schedule();
    } catch (error) {
      // the session is closing (its onClose drives the reconnect) or the relay refused a read: say so, keep going
      this.options.log(`sync with the relay failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async load(session: RelaySession): Promise<void> {
    try {
      const [{ services }, { probes }] = await Promise.all([session.request('services.list', {}), session.request('probe.list', {})]);
      this.state.setServices(services);
      this.state.setProbes(probes);
    } catch (error) {
      this.options.log(`refresh failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private detach(): void {
    this.sessionCleanup?.();
    this.sessionCleanup = undefined;
  }
}
