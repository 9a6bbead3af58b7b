import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { CloseCode, shouldReconnect } from '../backend/protocol/close-codes';
import { decodeFrame } from '../backend/protocol/frame';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, RelayToAgent, type AgentToRelay } from '../backend/protocol/messages';
import { Backoff } from './backoff';
import { errorMessage, type Log } from './diagnosticLog';
import { evidenceFrame } from './evidenceJson';
import type { EvidenceBatch } from './evidenceQueue';
import { UnackedBatches, type UnackedLimits } from './relayUnacked';

type RelayMessage = Exclude<RelayToAgent, { type: 'welcome' } | { type: 'error' } | { type: 'evidence.ack' }>;

export interface RelayLinkOptions {
  /** Full agent endpoint, e.g. ws://relay:7070/agent. */
  url: string;
  /** Sent first on every connection. */
  hello: Extract<AgentToRelay, { type: 'agent.hello' }>;
  log: Log;
  /** After each welcome (first connection and every reconnection). */
  onWelcome(): void;
  /** probe.sync / probe.add / probe.remove, after the welcome. */
  onMessage(msg: RelayMessage): void;
  /** The relay refused us for a reason retrying cannot fix; the link has stopped. */
  onRefused(message: string): void;
  /** The first attempt failed before a welcome (the link keeps retrying). Called at most once. */
  onFirstFailure(message: string): void;
  backoff?: Backoff;
  /** How often to ping; a connection with no pong by the next ping is dropped and re-dialled. */
  heartbeatMs?: number;
  /** Bound on evidence held until the relay acks it. */
  unacked?: UnackedLimits;
}

/**
 * The agent's outbound connection to the relay: hello, welcome, then probe messages in and statuses/evidence
 * out. Reconnects with backoff forever, except when the relay refuses the key or the protocol. Every inbound
 * frame is validated; a bad one is logged and ignored. Evidence batches are numbered and held until the relay
 * acks them as stored, and re-sent after a reconnect (relays that do not ack get them once, as before).
 */
export class RelayLink {
  private ws?: WebSocket;
  private welcomed = false;
  private everWelcomed = false;
  private firstFailureReported = false;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private readonly backoff: Backoff;
  private readonly unacked: UnackedBatches;
  /** This process's evidence stream: batch numbers are unique within it, whatever the instance id. */
  private readonly stream = randomBytes(9).toString('base64url');
  /** Whether the relay acks evidence; unknown until its first welcome (held meanwhile, to be safe). */
  private relayAcks: boolean | undefined;

  constructor(private readonly options: RelayLinkOptions) {
    this.backoff = options.backoff ?? new Backoff();
    this.unacked = new UnackedBatches(options.unacked);
  }

  start(): void {
    if (!this.stopped) this.connect();
  }

  /** Whether messages can be sent now (connected and welcomed). */
  get ready(): boolean {
    return this.welcomed && this.ws?.readyState === WebSocket.OPEN;
  }

  /** Bytes queued in the socket plus evidence not yet acked: the sender holds back while this is high. */
  get bufferedAmount(): number {
    return (this.ws?.bufferedAmount ?? 0) + this.unacked.heldBytes;
  }

  /** Evidence batches sent and not yet acked by the relay. */
  get unackedBatches(): number {
    return this.unacked.heldBatches;
  }

  /** Evidence is accepted even while disconnected (held, bounded, sent on reconnect) by a relay that acks. */
  sendEvidence(batch: EvidenceBatch): boolean {
    if (this.relayAcks !== false) {
      const frame = this.unacked.add(batch);
      if (this.ready) this.ws!.send(frame, { binary: false }); // ws copies the bytes before send() returns
      return true;
    }
    if (!this.ready) return false;
    this.ws!.send(evidenceFrame(batch.items, batch.dropped, undefined));
    return true;
  }

  /** Any other message: only while connected. */
  send(msg: Exclude<AgentToRelay, { type: 'evidence' }>): boolean {
    if (!this.ready) return false;
    this.ws!.send(JSON.stringify(msg));
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeat);
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => (ws.terminate(), resolve()), 1000);
      ws.once('close', () => (clearTimeout(timer), resolve()));
      if (ws.readyState === WebSocket.OPEN) ws.close(1000, 'agent stopping');
      else ws.terminate();
    });
  }

  private connect(): void {
    const { url, log } = this.options;
    let failure: string | undefined;
    const ws = new WebSocket(url, { handshakeTimeout: 10_000, perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES });
    this.ws = ws;
    let alive = true;
    ws.on('open', () => {
      ws.send(JSON.stringify({ ...this.options.hello, evidenceStream: this.stream }));
      this.heartbeat = setInterval(() => {
        if (!alive) return ws.terminate();
        alive = false;
        ws.ping();
      }, this.options.heartbeatMs ?? 20_000);
    });
    ws.on('pong', () => (alive = true));
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.on('error', (e) => (failure = describeSocketError(e)));
    ws.on('close', (code, reason) => {
      clearInterval(this.heartbeat);
      const wasWelcomed = this.welcomed;
      this.welcomed = false;
      if (this.stopped) return;
      const closed = `${code}${reason.length ? `: ${reason.toString('utf8').slice(0, 200)}` : ''}`;
      const permanent = permanentRefusal(code, closed, failure);
      if (permanent) return this.refuse(permanent);
      const why = failure ?? `the relay closed the connection (${closed})`;
      if (wasWelcomed) log(`relay connection lost: ${why}`);
      if (!this.everWelcomed && !this.firstFailureReported) {
        this.firstFailureReported = true;
        const what = failure ? `relay unreachable at ${url}: ${failure}` : `the relay at ${url} closed the connection before welcoming the agent (${closed})`;
        this.options.onFirstFailure(`${what} (the agent keeps retrying in the background)`);
      }
      const delay = this.backoff.next();
      log(`reconnecting to ${url} in ${delay} ms (${why})`);
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    let msg: RelayToAgent;
    try {
      msg = decodeFrame(RelayToAgent, data, isBinary);
    } catch (e) {
      this.options.log(`ignored a bad frame from the relay: ${errorMessage(e)}`);
      return;
    }
    switch (msg.type) {
      case 'welcome':
        if (msg.protocol !== PROTOCOL_VERSION) return this.refuse(`the relay speaks protocol ${msg.protocol}; this agent speaks ${PROTOCOL_VERSION} (unsupported protocol)`);
        this.welcomed = this.everWelcomed = true;
        this.backoff.reset();
        this.options.log(`welcomed by relay ${msg.relayVersion} at ${this.options.url}`);
        this.resendUnacked(msg.evidenceAcks === true);
        return this.options.onWelcome();
      case 'evidence.ack':
        return this.unacked.ack(msg.seq);
      case 'error':
        if (msg.error.code === 'unauthorized') return this.refuse(`the relay refused the agent key (unauthorized): ${msg.error.message}`);
        if (msg.error.code === 'unsupported_protocol') return this.refuse(`the relay does not speak this agent's protocol ${PROTOCOL_VERSION} (unsupported protocol): ${msg.error.message}`);
        return this.options.log(`relay reported ${msg.error.code}: ${msg.error.message}`);
      default:
        if (!this.welcomed) return this.options.log(`ignored ${msg.type} before the relay's welcome`);
        return this.options.onMessage(msg);
    }
  }

  /** After a (re)connection, before anything newer: the batches the previous relay connection never confirmed. */
  private resendUnacked(relayAcks: boolean): void {
    this.relayAcks = relayAcks;
    const frames = this.unacked.frames();
    if (frames.length) this.options.log(`re-sending ${frames.length} evidence batch(es) the relay had not acknowledged`);
    for (const frame of frames) this.ws!.send(frame, { binary: false });
    if (!relayAcks) this.unacked.clear();
  }

  private refuse(message: string): void {
    this.options.log(message);
    this.stopped = true;
    clearInterval(this.heartbeat);
    this.welcomed = false;
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.close(1000, 'refused');
    this.options.onRefused(message);
  }
}

/** Why retrying cannot help, for closes that say so (normally an error frame said it first). */
function permanentRefusal(code: number, closed: string, failure: string | undefined): string | undefined {
  if (code === CloseCode.unauthorized || (failure && /HTTP 40[13]\b/.test(failure))) return `the relay refused the agent key (unauthorized): ${failure ?? closed}`;
  if (code === CloseCode.unsupportedProtocol) return `the relay does not speak this agent's protocol ${PROTOCOL_VERSION} (unsupported protocol)`;
  if (code === CloseCode.replaced) return `another connection with this instance id replaced this one (${closed}); not reconnecting`;
  if (!shouldReconnect(code)) return `the relay closed the connection for good (${closed})`;
  return undefined;
}

function describeSocketError(e: Error & { code?: string }): string {
  const status = /Unexpected server response: (\d+)/.exec(e.message)?.[1];
  if (status) return `the relay answered HTTP ${status} instead of a WebSocket upgrade`;
  return e.code ? `${e.code} (${e.message})` : e.message;
}
