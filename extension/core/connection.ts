import type { RelayClient } from '../../backend/client/relayClient';
import { reconnectDelay } from './backoff';
import { Emitter } from './emitter';
import { describeError, NotConnectedError, relayUrlProblem, type UserFacingError } from './userErrors';

/** The part of RelayClient the extension uses: a real client in production and in tests. */
export type RelaySession = Pick<RelayClient, 'identity' | 'request' | 'subscribe' | 'unsubscribe' | 'onStatus' | 'onProbeState' | 'onInstance' | 'onIncident' | 'onClose' | 'close'>;
export type Connector = (options: { relay: string; token: string }) => Promise<RelaySession>;

export type ConnectionState =
  | { status: 'signedOut'; relay: string }
  | { status: 'connecting'; relay: string; attempt: number }
  | { status: 'connected'; relay: string; identity: RelaySession['identity'] }
  /** Lost or could not connect; tries again at `retryAt` (epoch ms). */
  | { status: 'retrying'; relay: string; attempt: number; retryAt: number; error: UserFacingError }
  /** Needs the user (bad token, bad URL, protocol mismatch): no automatic retries. */
  | { status: 'failed'; relay: string; error: UserFacingError };

export interface ConnectionOptions {
  connector: Connector;
  log: (line: string) => void;
  delay?: (attempt: number) => number;
}

/**
 * Keeps one relay session alive for the current relay URL and token: connects, reconnects with backoff when
 * the relay goes away (a restart, a network blip), and stops retrying when only the user can fix it.
 */
export class ConnectionManager {
  private current: ConnectionState = { status: 'signedOut', relay: '' };
  private live: RelaySession | undefined;
  private target: { relay: string; token: string | undefined } = { relay: '', token: undefined };
  /** Bumped on every (re)configure: results of older attempts are ignored and their sessions closed. */
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly stateChanges = new Emitter<ConnectionState>();
  private readonly connects = new Emitter<RelaySession>();
  /** Fires on every state change. */
  readonly onDidChangeState = this.stateChanges.event;
  /** Fires with each new session, before the state becomes 'connected'. */
  readonly onDidConnect = this.connects.event;

  constructor(private readonly options: ConnectionOptions) {}

  get state(): ConnectionState {
    return this.current;
  }

  get session(): RelaySession | undefined {
    return this.live;
  }

  /** Points the manager at a relay and token; reconnects only when either changed (or `force`). */
  configure(relay: string, token: string | undefined, force = false): void {
    if (!force && relay === this.target.relay && token === this.target.token && this.current.status !== 'failed') return;
    this.target = { relay, token };
    this.restart();
  }

  /** Tries again now (the "Retry" and "Reconnect" actions). */
  reconnect(): void {
    this.restart();
  }

  /** A session the caller must use now: throws the user-facing reason when there is none. */
  requireSession(): RelaySession {
    if (this.live) return this.live;
    const s = this.current;
    if (s.status === 'signedOut') throw new NotConnectedError(`Not signed in to the relay at ${s.relay}.`, ['signIn', 'openSettings']);
    if (s.status === 'failed' || s.status === 'retrying') throw new NotConnectedError(s.error.message, s.error.actions);
    throw new NotConnectedError(`Still connecting to ${s.relay}; try again in a moment.`, []);
  }

  dispose(): void {
    this.generation++;
    clearTimeout(this.timer);
    void this.live?.close().catch(() => undefined);
    this.live = undefined;
    this.stateChanges.dispose();
    this.connects.dispose();
  }

  private restart(): void {
    const generation = ++this.generation;
    clearTimeout(this.timer);
    const old = this.live;
    this.live = undefined;
    void old?.close().catch(() => undefined);
    const { relay, token } = this.target;
    if (!token) return this.setState({ status: 'signedOut', relay });
    const urlProblem = relayUrlProblem(relay);
    if (urlProblem) return this.setState({ status: 'failed', relay, error: { code: 'local', transient: false, actions: ['openSettings'], message: urlProblem } });
    void this.attempt(generation, 1);
  }

  private async attempt(generation: number, attempt: number): Promise<void> {
    const { relay, token } = this.target;
    this.setState({ status: 'connecting', relay, attempt });
    let session: RelaySession;
    try {
      session = await this.options.connector({ relay, token: token! });
    } catch (error) {
      if (generation !== this.generation) return;
      const described = describeError(error, relay);
      this.options.log(`connect to ${relay} failed (attempt ${attempt}): ${described.message}`);
      if (!described.transient) return this.setState({ status: 'failed', relay, error: described });
      return this.retryLater(generation, attempt + 1, described);
    }
    if (generation !== this.generation) return void session.close().catch(() => undefined);
    this.live = session;
    session.onClose((reason) => {
      if (generation !== this.generation || this.live !== session) return;
      this.live = undefined;
      this.options.log(`relay session ended: ${reason}; reconnecting`);
      this.retryLater(generation, 1, describeError(new Error(`the relay connection closed (${reason})`), relay), true);
    });
    this.options.log(`connected to ${relay} as ${session.identity.name} (${session.identity.role})`);
    this.connects.fire(session);
    this.setState({ status: 'connected', relay, identity: session.identity });
  }

  private retryLater(generation: number, attempt: number, error: UserFacingError, lost = false): void {
    const delay = (this.options.delay ?? reconnectDelay)(attempt);
    const described = lost ? { ...error, code: 'unreachable', transient: true, actions: ['retry' as const] } : error;
    this.setState({ status: 'retrying', relay: this.target.relay, attempt, retryAt: Date.now() + delay, error: described });
    this.timer = setTimeout(() => void this.attempt(generation, attempt), delay);
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    this.stateChanges.fire(state);
  }
}
