import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AgentEvidence } from '../../../backend/protocol/evidence';
import { AgentToRelay, PROTOCOL_VERSION, type RelayToAgent } from '../../../backend/protocol/messages';
import type { ProbeSpec, ProbeStatus } from '../../../backend/protocol/probe';
import { waitUntil } from './wait';

type AgentHello = Extract<AgentToRelay, { type: 'agent.hello' }>;
type Kind<K extends AgentEvidence['kind']> = Extract<AgentEvidence, { kind: K }>;

export interface FakeRelayOptions {
  port?: number;
  /** How to answer a hello: welcome (default), or refuse the key / the protocol. */
  answer?: 'welcome' | 'unauthorized' | 'unsupported_protocol';
  probes?: ProbeSpec[];
}

/**
 * The smallest relay that speaks protocol v1 to agents: welcome + probe.sync on hello, probe.add/remove on
 * demand. Everything an agent sends is validated with the protocol schemas and recorded for assertions.
 */
export class FakeRelay {
  readonly hellos: AgentHello[] = [];
  readonly statuses: ProbeStatus[] = [];
  readonly evidence: AgentEvidence[] = [];
  readonly dropped: number[] = [];
  /** Frames from the agent that failed validation: a test failure unless a test expects them. */
  readonly invalid: string[] = [];
  readonly desired = new Map<string, ProbeSpec>();
  private readonly agents = new Set<WebSocket>();

  private constructor(
    private readonly server: WebSocketServer,
    private readonly answer: NonNullable<FakeRelayOptions['answer']>,
  ) {
    server.on('connection', (ws, req) => {
      if (req.url !== '/agent') return ws.close(4404, 'agents connect to /agent');
      ws.on('message', (data) => this.onFrame(ws, data.toString()));
      ws.on('close', () => this.agents.delete(ws));
    });
  }

  static async start(options: FakeRelayOptions = {}): Promise<FakeRelay> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: options.port ?? 0 });
    await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
    const relay = new FakeRelay(server, options.answer ?? 'welcome');
    for (const p of options.probes ?? []) relay.desired.set(p.id, p);
    return relay;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get connectedAgents(): number {
    return this.agents.size;
  }

  add(probe: ProbeSpec): void {
    this.desired.set(probe.id, probe);
    this.broadcast({ type: 'probe.add', probe });
  }

  remove(probeId: string): void {
    this.desired.delete(probeId);
    this.broadcast({ type: 'probe.remove', probeId });
  }

  /** Sends raw text to every connected agent (for bad-frame tests). */
  sendRaw(text: string): void {
    for (const ws of this.agents) ws.send(text);
  }

  statusesOf(probeId: string): ProbeStatus[] {
    return this.statuses.filter((s) => s.probeId === probeId);
  }

  latestStatus(probeId: string): ProbeStatus | undefined {
    return this.statusesOf(probeId).at(-1);
  }

  /** Log evidence of one probe (snapshotsOf and metricsOf give the other kinds). */
  evidenceOf(probeId: string): Kind<'log'>[] {
    return this.itemsOf(probeId, 'log');
  }

  snapshotsOf(probeId: string): Kind<'snapshot'>[] {
    return this.itemsOf(probeId, 'snapshot');
  }

  metricsOf(probeId: string): Kind<'metric'>[] {
    return this.itemsOf(probeId, 'metric');
  }

  itemsOf<K extends AgentEvidence['kind']>(probeId: string, kind: K): Kind<K>[] {
    return this.evidence.filter((e): e is Kind<K> => e.probeId === probeId && e.kind === kind);
  }

  waitForHello(count = 1, ms?: number): Promise<AgentHello> {
    return waitUntil(() => this.hellos[count - 1], `hello #${count} at the fake relay`, ms, () => this.describe());
  }

  /** Waits for a status of `probeId` in `state` that arrived after the first `after` statuses. */
  waitForStatus(probeId: string, state: ProbeStatus['state'], ms?: number, after = 0): Promise<ProbeStatus> {
    return waitUntil(() => this.statuses.slice(after).find((s) => s.probeId === probeId && s.state === state), `status ${state} of ${probeId}`, ms, () => this.describe());
  }

  waitForEvidence(probeId: string, count = 1, ms?: number): Promise<Kind<'log'>[]> {
    return this.waitForItems(probeId, 'log', count, ms);
  }

  waitForItems<K extends AgentEvidence['kind']>(probeId: string, kind: K, count = 1, ms?: number): Promise<Kind<K>[]> {
    return waitUntil(() => (this.itemsOf(probeId, kind).length >= count ? this.itemsOf(probeId, kind) : undefined), `${count} ${kind} evidence item(s) of ${probeId}`, ms, () => this.describe());
  }

  /** Drops every agent connection and stops listening (a relay crash, as agents see it). */
  async close(): Promise<void> {
    for (const ws of this.agents) ws.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  describe(): string {
    const statuses = this.statuses.map((s) => `${s.probeId}:${s.state}${s.reason ? ` (${s.reason})` : ''}`).slice(-10);
    return `hellos=${this.hellos.length} statuses=[${statuses.join(', ')}] evidence=${this.evidence.length} invalid=${this.invalid.length}`;
  }

  private broadcast(msg: RelayToAgent): void {
    for (const ws of this.agents) ws.send(JSON.stringify(msg));
  }

  private onFrame(ws: WebSocket, text: string): void {
    const parsed = AgentToRelay.safeParse(JSON.parse(text));
    if (!parsed.success) {
      this.invalid.push(text.slice(0, 500));
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'agent.hello') {
      this.hellos.push(msg);
      if (this.answer !== 'welcome') {
        const message = this.answer === 'unauthorized' ? 'unknown agent key' : `protocol ${msg.protocol} is not supported`;
        ws.send(JSON.stringify({ type: 'error', error: { code: this.answer, message } } satisfies RelayToAgent));
        ws.close(1008, this.answer);
        return;
      }
      this.agents.add(ws);
      ws.send(JSON.stringify({ type: 'welcome', protocol: PROTOCOL_VERSION, relayVersion: 'fake-1' } satisfies RelayToAgent));
      ws.send(JSON.stringify({ type: 'probe.sync', probes: [...this.desired.values()] } satisfies RelayToAgent));
    } else if (msg.type === 'probe.status') {
      this.statuses.push(...msg.statuses);
    } else {
      this.evidence.push(...msg.items);
      if (msg.dropped) this.dropped.push(msg.dropped);
    }
  }
}
