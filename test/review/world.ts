import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { RelayClient } from '../../backend/client/relayClient';
import { startRelay, type Relay } from '../../backend/relay';
import { ROOT, startNode, type Child } from '../support/proc';

const REGISTER = path.join(ROOT, 'dist/agent/register.js');

/** The review fixture (examples/review/fixture.js): a repo with a deployed commit and a PR branch, and its traffic. */
export interface ReviewFixture {
  buildReviewRepo(dir: string): { dir: string; deployed: string; head: string; branch: string; entry: string; file: string };
  request(i: number): { path: string; body: Record<string, unknown> };
  mix(n: number): { strings: number; legacy: number; noCustomer: number; badCoupon: number };
}
export const fixture: ReviewFixture = require(path.join(ROOT, 'examples/review/fixture.js'));

/** A relay, the pricing service at its deployed commit with the agent, live traffic, and an AI and a person's token. */
export interface ReviewWorld {
  repo: ReturnType<ReviewFixture['buildReviewRepo']>;
  relay: Relay;
  adminToken: string;
  agentKey: string;
  admin: RelayClient;
  ai: RelayClient;
  person: RelayClient;
  service: Child;
  /** Requests sent so far, and the HTTP status of each answered one. */
  sent(): number;
  statuses: number[];
  close(): Promise<void>;
}

export async function startReviewWorld(dir: string, rate = 50): Promise<ReviewWorld> {
  const cleanups: Array<() => unknown> = [];
  const close = async () => {
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
  };
  try {
    const repo = fixture.buildReviewRepo(path.join(dir, 'repo'));
    const relay = await startRelay({ host: '127.0.0.1', port: 0, dataDir: path.join(dir, 'relay'), log: () => undefined });
    cleanups.push(() => relay.close());
    const agentKey = fs.readFileSync(relay.agentKeyFile, 'utf8').trim();
    const adminToken = fs.readFileSync(relay.adminTokenFile, 'utf8').trim();
    const admin = await RelayClient.connect({ relay: relay.url, token: adminToken, clientName: 'test-admin' });
    cleanups.push(() => admin.close());
    const service = startAgentService(repo.dir, repo.entry, relay.url, agentKey, 'pricing');
    cleanups.push(() => service.kill());
    const port = Number((await service.waitForLine(/listening on http:\/\/127\.0\.0\.1:(\d+)/, 20_000))[1]);
    await untilConnected(admin, 'pricing', repo.deployed);
    const statuses: number[] = [];
    let i = 0;
    const timer = setInterval(() => {
      const { path: route, body } = fixture.request(i++);
      post(port, route, body).then((s) => statuses.push(s), () => statuses.push(0));
    }, 1000 / rate);
    cleanups.push(() => clearInterval(timer));
    const ai = await tokenClient(admin, relay.url, 'review-bot', true);
    cleanups.push(() => ai.close());
    const person = await tokenClient(admin, relay.url, 'reviewer-rita', false);
    cleanups.push(() => person.close());
    return { repo, relay, adminToken, agentKey, admin, ai, person, service, sent: () => i, statuses, close };
  } catch (e) {
    await close();
    throw e;
  }
}

export function startAgentService(cwd: string, entry: string, relay: string, agentKey: string, service: string): Child {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RUNTRUTH_')));
  return startNode(['--require', REGISTER, entry], service, { cwd, env: { ...env, PORT: '0', RUNTRUTH_RELAY: relay, RUNTRUTH_AGENT_KEY: agentKey, RUNTRUTH_SERVICE: service } });
}

export async function untilConnected(admin: RelayClient, service: string, commit?: string, connected = true): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { services } = await admin.request('services.list', {});
    const s = services.find((x) => x.service === service);
    const ok = connected ? s?.instances.some((i) => i.connected && (!commit || i.commit === commit)) : s && s.instances.every((i) => !i.connected);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${service} did not ${connected ? 'connect' : 'disconnect'}: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function tokenClient(admin: RelayClient, relay: string, name: string, ai: boolean): Promise<RelayClient> {
  const { secret } = await admin.request('token.create', { name, role: 'operator', ai });
  return RelayClient.connect({ relay, token: secret, clientName: name });
}

function post(port: number, route: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, path: route, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(data);
  });
}
