import { RelayClient, type ConnectOptions } from '../client/relayClient';
import type { Method, ParamsOf, ResultOf } from '../protocol';
import { EndedProbes, type RelayCaller } from './caller';

export interface BridgeOptions {
  relay: string;
  token: string;
  /** Read when connecting, so the relay's audit names the MCP client (known only after `initialize`). */
  clientName: () => string;
  clientVersion: string;
  ca?: string | Buffer;
  connect?: (opts: ConnectOptions) => Promise<RelayClient>;
}

/**
 * The stdio server's way to the relay: one RelayClient, connected on first use and again after it drops, so an
 * assistant that starts before the relay (or outlives a relay restart) gets a clear tool error, not a dead server.
 */
export class RelayBridge implements RelayCaller {
  readonly ended = new EndedProbes();
  private client: Promise<RelayClient> | undefined;
  private closed = false;

  constructor(private readonly opts: BridgeOptions) {}

  async call<M extends Method>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    const client = await this.connected();
    return client.request(method, params);
  }

  /** Connects now (to report the identity, or the problem, at startup). */
  connected(): Promise<RelayClient> {
    if (this.closed) return Promise.reject(new Error('the MCP bridge is closed'));
    const connect = this.opts.connect ?? ((o: ConnectOptions) => RelayClient.connect(o));
    this.client ??= connect({
      relay: this.opts.relay,
      token: this.opts.token,
      clientName: this.opts.clientName().slice(0, 64),
      clientVersion: this.opts.clientVersion,
      ...(this.opts.ca ? { ca: this.opts.ca } : {}),
    }).then(
      (client) => {
        client.onProbeState((view) => this.ended.note(view));
        client.onClose(() => (this.client = undefined));
        return client;
      },
      (err: unknown) => {
        this.client = undefined;
        throw err;
      },
    );
    return this.client;
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = await this.client?.catch(() => undefined);
    this.client = undefined;
    await client?.close();
  }
}
