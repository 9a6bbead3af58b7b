import type { z } from 'zod';
import { ClientRequest, describeIssues, RuntruthError, type ClientHello, type Method, type ParamsOf, type RelayToClient, type ResultOf } from '../protocol';
import type { ClientHub } from '../relay/clients';
import type { Link, Session } from '../relay/connection';
import { EndedProbes, type RelayCaller } from './caller';

type Pending = { resolve: (result: unknown) => void; reject: (err: Error) => void };

/**
 * An MCP session's seat at the relay: a real client session of the relay's ClientHub, opened with the same
 * hello a WebSocket client sends, over an in-memory link instead of a socket. Every call therefore goes through
 * the same authentication, rate limit, authorisation, scope, policy, handlers and audit as a WebSocket request.
 */
export class RelaySessionCaller implements RelayCaller {
  readonly ended = new EndedProbes();
  private readonly pending = new Map<string, Pending>();
  private session: Session<ClientRequest> | undefined;
  private open = true;
  private nextId = 1;
  private readonly link: Link;

  /** Throws the hub's RuntruthError (`unauthorized`) when the token is refused. */
  constructor(
    hub: ClientHub,
    hello: z.infer<typeof ClientHello>,
    remote: string,
    private readonly onEnd: (why: string) => void,
  ) {
    this.link = this.makeLink(remote);
    this.session = hub.open(hello, this.link);
  }

  get isOpen(): boolean {
    return this.open;
  }

  call<M extends Method>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    if (!this.open || !this.session) return Promise.reject(new RuntruthError('unauthorized', 'this MCP session has ended at the relay; start a new one'));
    const id = `mcp-${this.nextId++}`;
    // the same decoding a WebSocket frame gets (defaults applied, unknown shapes refused)
    const parsed = ClientRequest.safeParse({ type: 'request', id, method, params });
    if (!parsed.success) return Promise.reject(new RuntruthError('bad_message', `invalid ${method} request: ${describeIssues(parsed.error)}`));
    const session = this.session;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      try {
        void session.handle(parsed.data);
      } catch (err) {
        this.pending.delete(id);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Ends the relay session (idempotent). */
  close(): void {
    this.open = false;
    const session = this.session;
    this.session = undefined;
    for (const p of this.pending.values()) p.reject(new RuntruthError('unauthorized', 'the MCP session ended'));
    this.pending.clear();
    session?.closed();
  }

  private receive(message: RelayToClient): void {
    if (message.type === 'response') {
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      if (message.ok) p.resolve(message.result);
      else p.reject(new RuntruthError(message.error.code, message.error.message, message.error.details));
    } else if (message.type === 'error' && message.ref !== undefined) {
      const p = this.pending.get(message.ref);
      this.pending.delete(message.ref);
      p?.reject(new RuntruthError(message.error.code, message.error.message, message.error.details));
    } else if (message.type === 'probe.state') {
      this.ended.note(message.view);
    }
    // welcome, status and evidence pushes have no reader here: MCP tools ask (evidence.query) instead
  }

  private makeLink(remote: string): Link {
    const self = this;
    return {
      send: (message) => (self.open ? (self.receive(message as RelayToClient), true) : false),
      sendRaw: (frame) => (self.open ? (self.receive(JSON.parse(frame) as RelayToClient), true) : false),
      sendError: (error, ref) => self.open && self.receive({ type: 'error', error, ...(ref === undefined ? {} : { ref }) }),
      close: (_code, reason) => {
        if (!self.open) return;
        self.close();
        self.onEnd(reason);
      },
      bufferedAmount: 0,
      get isOpen() {
        return self.open;
      },
      remote,
    };
  }
}
