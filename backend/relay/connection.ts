import type { z } from 'zod';
import WebSocket, { type RawData } from 'ws';
import { decodeFrame, peekRequestId, PROTOCOL_VERSION, requestIdOf, RuntruthError, type WireError } from '../protocol';
import { CloseCode } from './close-codes';

/** The relay's handle on one peer: what sessions may do with the socket. */
export interface Link {
  /** @returns false when the socket is no longer open (the message is dropped). */
  send(message: object, onWritten?: () => void): boolean;
  sendRaw(frame: string, onWritten?: () => void): boolean;
  sendError(error: WireError, ref?: string): void;
  close(code: number, reason: string): void;
  readonly bufferedAmount: number;
  readonly isOpen: boolean;
  readonly remote: string;
}

export interface Session<M> {
  handle(message: M): void | Promise<void>;
  /** Called exactly once when the connection ends, whatever the reason. */
  closed(): void;
  /** The peer answered a heartbeat ping. */
  alive?(): void;
}

/** One WebSocket path: how its peers say hello and what they may send afterwards. */
export interface Endpoint<H, M> {
  readonly helloType: string;
  readonly helloSchema: z.ZodType<H>;
  readonly messageSchema: z.ZodType<M>;
  /** Authenticates the hello and greets the peer. Throw a RuntruthError to refuse; the connection is then closed. */
  open(hello: H, link: Link): Session<M>;
}

export interface ConnectionOptions {
  handshakeTimeoutMs: number;
  /** Beyond this many unsent bytes the peer is considered stuck and is disconnected. */
  hardBufferLimit: number;
  log: (line: string) => void;
}

const REFUSAL_CLOSE: Partial<Record<WireError['code'], number>> = {
  unauthorized: CloseCode.unauthorized,
  forbidden: CloseCode.forbidden,
  unsupported_protocol: CloseCode.unsupportedProtocol,
};

/**
 * The handshake and framing rules every peer shares: hello first (within the timeout), then every frame is
 * decoded against the endpoint's schema. A bad frame is answered with a typed error and the connection stays
 * open; only a failed handshake closes it. Nothing a peer sends can throw out of here.
 */
export class Connection<H, M> {
  private session: Session<M> | undefined;
  private finished = false;
  private answeredPing = true;
  private readonly helloTimer: NodeJS.Timeout;
  private readonly link: Link;
  readonly done: Promise<void>;

  constructor(
    private readonly ws: WebSocket,
    private readonly endpoint: Endpoint<H, M>,
    remote: string,
    private readonly opts: ConnectionOptions,
  ) {
    this.link = this.makeLink(remote);
    this.helloTimer = setTimeout(() => this.refuse(new RuntruthError('handshake_required', `no ${endpoint.helloType} within ${opts.handshakeTimeoutMs} ms`), CloseCode.handshakeTimeout), opts.handshakeTimeoutMs);
    this.done = new Promise((resolve) => ws.once('close', () => resolve()));
    ws.on('message', (data, isBinary) => this.guard(() => this.receive(data, isBinary)));
    ws.on('pong', () => {
      this.answeredPing = true;
      if (!this.finished) this.guard(() => this.session?.alive?.());
    });
    ws.on('close', () => this.finish());
    ws.on('error', (err) => opts.log(`${remote}: socket error: ${err.message}`));
  }

  /** Heartbeat tick: a peer that did not answer the previous ping is gone. */
  heartbeat(): void {
    if (!this.answeredPing) {
      this.ws.terminate();
      return;
    }
    this.answeredPing = false;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.ping();
  }

  /** Relay shutdown: ends the session now (while the store is still open) and asks the peer to go away. */
  shutdown(): Promise<void> {
    this.finish();
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    this.ws.close(CloseCode.goingAway, 'relay shutting down');
    return this.done;
  }

  terminate(): void {
    this.ws.terminate();
  }

  get ready(): boolean {
    return this.session !== undefined;
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (this.finished) return;
    if (!this.session) return this.receiveHello(data, isBinary);
    let message: M;
    const seen: { json?: unknown } = {};
    try {
      message = decodeFrame(this.endpoint.messageSchema, data, isBinary, seen);
    } catch (err) {
      // every frame is parsed once, good or bad: a flood of expensive bad frames costs no more than good ones
      if (typeOf(seen.json) === this.endpoint.helloType) {
        return this.link.sendError({ code: 'bad_message', message: `${this.endpoint.helloType} was already received on this connection` });
      }
      // an oversized frame was refused before parsing; its id is still worth one parse (the hard limit bounds it)
      const ref = 'json' in seen ? requestIdOf(seen.json) : !isBinary && err instanceof RuntruthError && err.code === 'too_large' ? peekRequestId(data) : undefined;
      return this.answerBadFrame(err, ref);
    }
    const result = this.session.handle(message);
    if (result instanceof Promise) result.catch((err: unknown) => this.answerInternal(err));
  }

  private receiveHello(data: RawData, isBinary: boolean): void {
    const seen: { json?: unknown } = {};
    let hello: H | undefined;
    let invalid: unknown;
    try {
      hello = decodeFrame(this.endpoint.helloSchema, data, isBinary, seen);
    } catch (err) {
      invalid = err;
    }
    const head = isObject(seen.json) ? (seen.json as { type?: unknown; protocol?: unknown }) : undefined;
    if (head && head.type !== this.endpoint.helloType) {
      return this.refuse(new RuntruthError('handshake_required', `the first message must be ${this.endpoint.helloType}`), CloseCode.handshake);
    }
    // before schema errors: a future version's hello may not match this version's schema at all
    if (typeof head?.protocol === 'number' && head.protocol !== PROTOCOL_VERSION) {
      return this.refuse(new RuntruthError('unsupported_protocol', `this relay speaks protocol ${PROTOCOL_VERSION}, not ${head.protocol}`, { supported: [PROTOCOL_VERSION] }), CloseCode.unsupportedProtocol);
    }
    if (hello === undefined) return this.answerBadFrame(invalid); // the peer may still send a valid hello before the timeout
    clearTimeout(this.helloTimer);
    try {
      this.session = this.endpoint.open(hello, this.link);
    } catch (err) {
      const refusal = err instanceof RuntruthError ? err : this.internalError(err);
      this.refuse(refusal, REFUSAL_CLOSE[refusal.code] ?? (refusal.code === 'internal' ? CloseCode.internal : CloseCode.handshake));
    }
  }

  private refuse(error: RuntruthError, closeCode: number): void {
    clearTimeout(this.helloTimer);
    this.link.sendError(error.toWire());
    this.link.close(closeCode, error.code);
  }

  private answerBadFrame(err: unknown, ref?: string): void {
    if (err instanceof RuntruthError) this.link.sendError(err.toWire(), ref);
    else this.answerInternal(err, ref);
  }

  private answerInternal(err: unknown, ref?: string): void {
    this.link.sendError(this.internalError(err).toWire(), ref);
  }

  private internalError(err: unknown): RuntruthError {
    this.opts.log(`${this.link.remote}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return new RuntruthError('internal', 'the relay failed to handle this message; it has been logged');
  }

  /** Last line of defence: whatever a handler throws is answered, never allowed to crash the relay. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.answerInternal(err);
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.helloTimer);
    const session = this.session;
    if (session) {
      try {
        session.closed();
      } catch (err) {
        this.internalError(err);
      }
    }
  }

  private makeLink(remote: string): Link {
    const ws = this.ws;
    const opts = this.opts;
    const sendRaw = (frame: string, onWritten?: () => void): boolean => {
      if (ws.readyState !== WebSocket.OPEN) return false;
      if (ws.bufferedAmount > opts.hardBufferLimit) {
        opts.log(`${remote}: disconnecting, ${ws.bufferedAmount} bytes unsent (peer is not reading)`);
        ws.close(CloseCode.tooSlow, 'too slow');
        return false;
      }
      ws.send(frame, onWritten && (() => onWritten()));
      return true;
    };
    return {
      send: (message, onWritten) => sendRaw(JSON.stringify(message), onWritten),
      sendRaw,
      sendError: (error, ref) => void sendRaw(JSON.stringify({ type: 'error', error, ...(ref === undefined ? {} : { ref }) })),
      close: (code, reason) => {
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason);
      },
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
      get isOpen() {
        return ws.readyState === WebSocket.OPEN;
      },
      remote,
    };
  }
}

function typeOf(json: unknown): unknown {
  return isObject(json) ? (json as { type?: unknown }).type : undefined;
}

function isObject(json: unknown): boolean {
  return json !== null && typeof json === 'object' && !Array.isArray(json);
}
