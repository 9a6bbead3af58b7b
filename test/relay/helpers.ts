import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, Results, type InstanceInfo, type Method, type ParamsOf, type ProbeSpec, type ResultOf } from '../../backend/protocol';
import { startRelay, type Relay, type RelayOptions } from '../../backend/relay';

/** Parsed JSON from the relay (a validated-by-assertion boundary): tests read the fields they assert on. */
export type Msg = any;

const WAIT_MS = 5000;

/** Waits until `condition` holds (checked every few ms); fails after WAIT_MS. For effects with no message to wait on. */
export async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A raw `ws` peer that buffers everything it receives, so tests can wait for (or look back at) messages. */
export class TestPeer {
  readonly received: Msg[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { match: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  private nextRequestId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const msg: Msg = JSON.parse(isBinary ? '{"binary":true}' : String(data));
      const waiter = this.waiters.find((w) => w.match(msg));
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(msg);
      } else {
        this.received.push(msg);
      }
    });
    ws.on('error', () => undefined); // 'close' follows
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static open(url: string, peers: Set<TestPeer>, options?: WebSocket.ClientOptions): Promise<TestPeer> {
    const ws = new WebSocket(url, options);
    const peer = new TestPeer(ws);
    peers.add(peer);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(peer));
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The first message (already received or still to come) that matches; it is consumed. */
  next(match: (m: Msg) => boolean = () => true, what = 'a matching message', waitMs = WAIT_MS): Promise<Msg> {
    const index = this.received.findIndex(match);
    if (index >= 0) return Promise.resolve(this.received.splice(index, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; have ${JSON.stringify(this.received).slice(0, 500)}`)), waitMs);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  nextOfType(type: string): Promise<Msg> {
    return this.next((m) => m.type === type, `a '${type}' message`);
  }

  /**
   * Sends a request and returns its response; a successful result is checked against the protocol's Results
   * schema. A request the relay could not even parse is answered by an `error` frame echoing its id: returned as a failure.
   */
  async request<M extends Method>(method: M, params: ParamsOf<M>): Promise<{ ok: true; result: ResultOf<M> } | { ok: false; error: { code: string; message: string; details?: any } }> {
    const id = `r${this.nextRequestId++}`;
    this.send({ type: 'request', id, method, params });
    const response = await this.next((m) => (m.type === 'response' && m.id === id) || (m.type === 'error' && m.ref === id), `response ${id} (${method})`);
    if (response.type === 'error') return { ok: false, error: response.error };
    if (response.ok) Results[method].parse(response.result);
    return response;
  }

  /** Like request(), but the call must succeed. */
  async call<M extends Method>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    const response = await this.request(method, params);
    if (!response.ok) assert.fail(`${method} failed: ${response.error.code}: ${response.error.message}`);
    return response.result;
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    if (this.ws.readyState !== WebSocket.CLOSING) this.ws.close();
    return this.closed.then(() => undefined);
  }
}

/** A relay on 127.0.0.1:0 over a fresh temp data dir, with its log captured and every peer tracked for cleanup. */
export class Harness {
  readonly logs: string[] = [];
  readonly peers = new Set<TestPeer>();
  /** Every token minted through mint(): checked against the log at close, like the bootstrap secrets. */
  readonly minted: string[] = [];
  private adminPeer: TestPeer | undefined;
  relay!: Relay;
  private constructor(
    readonly dataDir: string,
    private readonly options: Partial<RelayOptions>,
  ) {}

  static async start(options: Partial<RelayOptions> = {}): Promise<Harness> {
    const harness = new Harness(fs.mkdtempSync(path.join(os.tmpdir(), 'runtruth-relay-test-')), options);
    await harness.startRelay();
    return harness;
  }

  /** Opens /agent and says hello with `key`; resolves with the peer and the first answer (welcome or error). */
  async agentHello(key: string, overrides: Partial<InstanceInfo> = {}): Promise<{ peer: TestPeer; answer: Msg }> {
    const peer = await this.open('/agent');
    peer.send({ type: 'agent.hello', protocol: PROTOCOL_VERSION, agentKey: key, instance: makeInstance(overrides) });
    return { peer, answer: await peer.next((m) => m.type === 'welcome' || m.type === 'error', 'welcome or error') };
  }

  get adminToken(): string {
    return fs.readFileSync(this.relay.adminTokenFile, 'utf8');
  }

  get agentKey(): string {
    return fs.readFileSync(this.relay.agentKeyFile, 'utf8');
  }

  /** Creates a token through an admin connection and returns its secret. */
  async mint(params: ParamsOf<'token.create'>): Promise<string> {
    if (!this.adminPeer || !this.peers.has(this.adminPeer)) this.adminPeer = await this.client();
    const { secret } = await this.adminPeer.call('token.create', params);
    this.minted.push(secret);
    return secret;
  }

  /** A client connected with a freshly minted token. */
  async clientAs(role: 'viewer' | 'operator' | 'admin', extra: Partial<ParamsOf<'token.create'>> = {}): Promise<TestPeer> {
    return this.client(await this.mint({ name: `${role}-${++tokenCounter}`, role, ...extra }));
  }

  async restart(options: Partial<RelayOptions> = {}): Promise<void> {
    await this.closePeers();
    await this.relay.close();
    Object.assign(this.options, options);
    await this.startRelay();
  }

  open(pathname: string, options?: WebSocket.ClientOptions): Promise<TestPeer> {
    return TestPeer.open(this.relay.url + pathname, this.peers, options);
  }

  async client(token = this.adminToken): Promise<TestPeer> {
    const peer = await this.open('/client');
    peer.send({ type: 'client.hello', protocol: PROTOCOL_VERSION, token, client: { name: 'test', version: '0' } });
    const welcome = await peer.next((m) => m.type === 'welcome' || m.type === 'error', 'welcome');
    assert.equal(welcome.type, 'welcome', JSON.stringify(welcome));
    return peer;
  }

  /** An agent that has said hello; `sync` is the probe.sync it got. */
  async agent(overrides: Partial<InstanceInfo> = {}, options?: WebSocket.ClientOptions): Promise<{ peer: TestPeer; sync: ProbeSpec[]; instance: InstanceInfo }> {
    const peer = await this.open('/agent', options);
    const instance = makeInstance(overrides);
    peer.send({ type: 'agent.hello', protocol: PROTOCOL_VERSION, agentKey: this.agentKey, instance });
    const welcome = await peer.next((m) => m.type === 'welcome' || m.type === 'error', 'welcome');
    assert.equal(welcome.type, 'welcome', JSON.stringify(welcome));
    const sync = await peer.nextOfType('probe.sync');
    return { peer, sync: sync.probes, instance };
  }

  async closePeers(): Promise<void> {
    await Promise.all([...this.peers].map((p) => p.close()));
    this.peers.clear();
  }

  /** Closes everything, removes the data dir, and checks no secret ever reached the log. */
  async close(): Promise<void> {
    const secrets = [this.adminToken, this.agentKey, this.options.adminToken, this.options.agentKey, ...this.minted].filter((s): s is string => !!s);
    await this.closePeers();
    await this.relay.close();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    for (const line of this.logs) for (const secret of secrets) assert.ok(!line.includes(secret), `a secret leaked into the log: ${line.replace(secret, '<secret>')}`);
  }

  private async startRelay(): Promise<void> {
    this.relay = await startRelay({ port: 0, dataDir: this.dataDir, handshakeTimeoutMs: 300, log: (line) => this.logs.push(line), ...this.options });
  }
}

let instanceCounter = 0;
let tokenCounter = 0;

export function makeInstance(overrides: Partial<InstanceInfo> = {}): InstanceInfo {
  return {
    service: 'checkout',
    labels: {},
    instanceId: `i-${++instanceCounter}`,
    host: 'test-host',
    pid: 1234,
    runtime: { name: 'node', version: process.version },
    startedAt: new Date().toISOString(),
    agentVersion: '0.0.0-test',
    mode: 'in-process',
    ...overrides,
  };
}

export function logProbe(service = 'checkout', extra: Record<string, unknown> = {}) {
  return { kind: 'log' as const, selector: { service }, file: 'src/validate.js', line: 13, template: 'amount={amount}', ...extra };
}

export function logItem(probeId: string, message: string) {
  return { kind: 'log', probeId, at: new Date().toISOString(), message };
}
