import WebSocket from 'ws';
import {
  ClientRequest,
  decodeFrame,
  Evidence,
  Identity,
  MAX_FRAME_BYTES,
  Method,
  ParamsOf,
  PROTOCOL_VERSION,
  ProbeStatus,
  ProbeView,
  RelayToClient,
  type Incident,
  type InstanceEvent,
  ResultOf,
  Results,
  RuntruthError,
  CloseCode,
  shouldReconnect,
} from '../protocol';

/** A local failure to reach or talk to the relay (wire errors arrive as RuntruthError instead). */
export class RelayConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RelayConnectionError';
  }
}

export interface ConnectOptions {
  /** Relay base URL, e.g. ws://127.0.0.1:7070 (the client endpoint is `/client` under it). */
  relay: string;
  token: string;
  clientName?: string;
  clientVersion?: string;
  /** How long to wait for the socket and the relay's welcome. */
  timeoutMs?: number;
  /** Extra CA certificate(s) (PEM) to trust for a wss:// relay with a private certificate. */
  ca?: string | Buffer;
  /**
   * Reconnect (with backoff) when the connection drops for a reason retrying can fix, and resume every evidence
   * subscription from the last id it delivered: no gaps, no duplicates. Requests in flight fail and may be retried.
   */
  reconnect?: boolean | { minMs?: number; maxMs?: number };
}

/** A reconnecting client's connection went away, or came back (its subscriptions resumed). */
export type ConnectionChange = { state: 'lost'; reason: string; retryInMs: number } | { state: 'restored'; attempts: number };

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; method: Method };
type EvidenceListener = (items: Evidence[]) => void;
/** A live subscription: what it asked for, and the last store id it delivered (where a resume starts). */
interface Subscription {
  readonly handle: string;
  readonly params: ParamsOf<'evidence.subscribe'>;
  readonly listener: EvidenceListener;
  cursor: number;
}

/**
 * One authenticated connection to the relay: typed requests, evidence subscriptions and status events.
 * Shared by the CLI now and the extension later, so it never imports anything editor-specific.
 */
export class RelayClient {
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  /** By the relay's current subscription id (which changes on a resume; `handle` does not). */
  private subscriptions = new Map<string, Subscription>();
  private readonly connectionListeners = new Set<(change: ConnectionChange) => void>();
  private closedByUs = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly statusListeners = new Set<(probeId: string, statuses: ProbeStatus[]) => void>();
  private readonly stateListeners = new Set<(view: ProbeView) => void>();
  private readonly instanceListeners = new Set<(event: InstanceEvent) => void>();
  private readonly incidentListeners = new Set<(incident: Incident) => void>();
  private readonly closeListeners = new Set<(reason: string, code: number) => void>();
  /** Evidence that arrived for a subscription before its id was known to us. */
  private readonly early = new Map<string, Evidence[]>();

  private constructor(
    private ws: WebSocket,
    readonly identity: Identity,
    private readonly opts: ConnectOptions,
  ) {
    this.attach(ws);
  }

  private attach(ws: WebSocket): void {
    this.ws = ws;
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.on('close', (code, reason) => this.handleClose(`connection closed (${code}${reason.length ? `: ${reason}` : ''})`, code));
    ws.on('error', () => undefined); // 'close' follows and reports it
  }

  static async connect(opts: ConnectOptions): Promise<RelayClient> {
    const { ws, identity } = await RelayClient.handshake(opts);
    return new RelayClient(ws, identity, opts);
  }

  /** Opens a socket, says hello, and waits for the welcome. */
  private static handshake(opts: ConnectOptions): Promise<{ ws: WebSocket; identity: Identity }> {
    const url = `${opts.relay.replace(/\/+$/, '')}/client`;
    const timeoutMs = opts.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.terminate();
        reject(err);
      };
      const ws = new WebSocket(url, { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: timeoutMs, ...(opts.ca ? { ca: opts.ca } : {}) });
      const timer = setTimeout(() => fail(new RelayConnectionError(`relay at ${opts.relay} did not answer within ${timeoutMs} ms`)), timeoutMs);
      ws.once('error', (e: NodeJS.ErrnoException) =>
        fail(new RelayConnectionError(`relay unreachable at ${opts.relay}: ${e.code ?? e.message}`, { cause: e })),
      );
      ws.once('close', (code) => fail(new RelayConnectionError(`relay at ${opts.relay} closed the connection (${code})`)));
      ws.once('open', () => {
        ws.send(
          JSON.stringify({
            type: 'client.hello',
            protocol: PROTOCOL_VERSION,
            token: opts.token,
            client: { name: opts.clientName ?? 'runtruth-cli', version: opts.clientVersion ?? '0' },
          }),
        );
      });
      ws.once('message', (data, isBinary) => {
        try {
          const msg = decodeFrame(RelayToClient, data, isBinary);
          if (msg.type === 'welcome') {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            ws.removeAllListeners();
            resolve({ ws, identity: msg.identity });
          } else if (msg.type === 'error') {
            fail(new RuntruthError(msg.error.code, msg.error.message, msg.error.details));
          } else {
            fail(new RelayConnectionError(`relay sent '${msg.type}' before welcome`));
          }
        } catch (e) {
          fail(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
  }

  /** Sends one request; resolves with its validated result or rejects with the relay's RuntruthError. */
  request<M extends Method>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    const id = String(this.nextId++);
    const frame = { type: 'request', id, method, params };
    // Validate locally first: a malformed request is our bug and should say so before it leaves.
    const checked = ClientRequest.safeParse(frame);
    if (!checked.success) return Promise.reject(new RuntruthError('bad_message', `invalid ${method} request: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`));
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.reject(new RelayConnectionError('not connected to the relay'));
    return new Promise<ResultOf<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      this.ws.send(JSON.stringify(frame));
    });
  }

  /** Streams evidence (replaying from `afterId` when given); returns the subscription and the relay's last id. */
  async subscribe(params: ParamsOf<'evidence.subscribe'>, listener: EvidenceListener): Promise<ResultOf<'evidence.subscribe'>> {
    const result = await this.request('evidence.subscribe', params);
    this.track({ handle: result.subscription, params, listener, cursor: params.afterId ?? result.lastId }, result.subscription);
    return result;
  }

  /** `subscription` as subscribe() returned it (still valid after a resume). */
  async unsubscribe(subscription: string): Promise<void> {
    const current = [...this.subscriptions].find(([, s]) => s.handle === subscription)?.[0] ?? subscription;
    this.subscriptions.delete(current);
    await this.request('evidence.unsubscribe', { subscription: current });
  }

  /** With `reconnect`: the connection was lost (and is being retried), or restored with subscriptions resumed. */
  onConnectionChange(listener: (change: ConnectionChange) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  private track(sub: Subscription, relayId: string): void {
    this.subscriptions.set(relayId, sub);
    const early = this.early.get(relayId);
    this.early.delete(relayId);
    if (early?.length) this.deliver(sub, early);
  }

  private deliver(sub: Subscription, items: Evidence[]): void {
    for (const item of items) if (item.id !== undefined && item.id > sub.cursor) sub.cursor = item.id;
    sub.listener(items);
  }

  onStatus(listener: (probeId: string, statuses: ProbeStatus[]) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** A probe was proposed, approved, rejected, removed or expired. */
  onProbeState(listener: (view: ProbeView) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** An instance connected or disconnected (relays that push it; others leave clients to poll services.list). */
  onInstance(listener: (event: InstanceEvent) => void): () => void {
    this.instanceListeners.add(listener);
    return () => this.instanceListeners.delete(listener);
  }

  /** An incident was opened, repeated or resolved on the relay's alert webhook (or resolved by a person). */
  onIncident(listener: (incident: Incident) => void): () => void {
    this.incidentListeners.add(listener);
    return () => this.incidentListeners.delete(listener);
  }

  /** `code` is the WebSocket close code: `shouldReconnect(code)` (protocol) says whether retrying can help. */
  onClose(listener: (reason: string, code: number) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): Promise<void> {
    this.closedByUs = true;
    clearTimeout(this.reconnectTimer);
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close(1000);
    });
  }

  private onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    let msg: RelayToClient;
    try {
      msg = decodeFrame(RelayToClient, data, isBinary);
    } catch {
      return; // a frame we cannot read is dropped; the request it answered (if any) times out on the caller's side
    }
    switch (msg.type) {
      case 'response': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (!msg.ok) return p.reject(new RuntruthError(msg.error.code, msg.error.message, msg.error.details));
        const result = Results[p.method].safeParse(msg.result);
        if (result.success) p.resolve(result.data);
        else p.reject(new RuntruthError('bad_message', `relay's ${p.method} result does not match the protocol`));
        return;
      }
      case 'evidence': {
        const sub = this.subscriptions.get(msg.subscription);
        if (sub) this.deliver(sub, msg.items);
        else this.early.set(msg.subscription, [...(this.early.get(msg.subscription) ?? []), ...msg.items]);
        return;
      }
      case 'probe.status':
        for (const l of this.statusListeners) l(msg.probeId, msg.statuses);
        return;
      case 'probe.state':
        for (const l of this.stateListeners) l(msg.view);
        return;
      case 'instance':
        for (const l of this.instanceListeners) l(msg);
        return;
      case 'incident':
        for (const l of this.incidentListeners) l(msg.incident);
        return;
      case 'error': {
        const p = msg.ref ? this.pending.get(msg.ref) : undefined;
        if (p && msg.ref) {
          this.pending.delete(msg.ref);
          p.reject(new RuntruthError(msg.error.code, msg.error.message, msg.error.details));
        }
        return;
      }
      case 'welcome':
        return;
    }
  }

  private handleClose(reason: string, code: number): void {
    for (const [, p] of this.pending) p.reject(new RelayConnectionError(`relay ${reason}`));
    this.pending.clear();
    if (this.opts.reconnect && !this.closedByUs && shouldReconnect(code)) return this.retry(reason, 1);
    for (const l of this.closeListeners) l(reason, code);
  }

  /** Dials again after a backoff; a refusal retrying cannot fix (bad token, protocol) ends the client for good. */
  private retry(reason: string, attempt: number): void {
    const { minMs = 250, maxMs = 5000 } = typeof this.opts.reconnect === 'object' ? this.opts.reconnect : {};
    const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt - 1, 20));
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    for (const l of this.connectionListeners) l({ state: 'lost', reason, retryInMs: delay });
    this.reconnectTimer = setTimeout(() => {
      RelayClient.handshake(this.opts).then(
        ({ ws }) => {
          if (this.closedByUs) return void ws.close(1000);
          this.attach(ws);
          void this.resume(attempt);
        },
        (err: Error) => {
          if (this.closedByUs) return;
          if (err instanceof RuntruthError) {
            for (const l of this.closeListeners) l(`relay refused the reconnection: ${err.code}: ${err.message}`, CloseCode.unauthorized);
            return;
          }
          this.retry(err.message, attempt + 1);
        },
      );
    }, delay);
  }

  /** Re-subscribes each subscription from the last id it delivered; the relay replays what came in meanwhile. */
  private async resume(attempts: number): Promise<void> {
    const previous = [...this.subscriptions.values()];
    this.subscriptions = new Map();
    try {
      for (const sub of previous) {
        const result = await this.request('evidence.subscribe', { ...sub.params, afterId: sub.cursor });
        this.track(sub, result.subscription);
      }
    } catch {
      // the connection dropped again mid-resume: the close handler retries, and these are resumed then
      for (const sub of previous) if (![...this.subscriptions.values()].includes(sub)) this.subscriptions.set(`pending-${sub.handle}`, sub);
      return;
    }
    for (const l of this.connectionListeners) l({ state: 'restored', attempts });
  }
}
