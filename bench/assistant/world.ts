import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { RelayClient } from '../../backend/client/relayClient';
import { startRelay, type Relay } from '../../backend/relay';
import { buildRepo, worktree, type BuiltRepo } from './repo';
import type { Scenario } from './scenario';

const ROOT = path.resolve(__dirname, '../../..');
const REGISTER = path.join(ROOT, 'dist/agent/register.js');

/** A scenario running for real: its git repo, a relay, the service with the agent, live traffic, and clients. */
export interface World {
  scenario: Scenario;
  dir: string;
  repo: BuiltRepo;
  relay: Relay;
  port: number;
  /** An AI token's connection (what the assistant uses) and a person's (operator) that approves. */
  ai: RelayClient;
  person: RelayClient;
  admin: RelayClient;
  /** Responses the traffic got, in order (for "probes never changed a response"). */
  responses: string[];
  close(): Promise<void>;
}

export interface WorldOptions {
  /** Requests per second of background traffic (default 40). */
  rate?: number;
  /** Register the previous deploy first (a short run of the base commit), as a real rollout would. Default true. */
  previousDeploy?: boolean;
  keepDir?: boolean;
  /**
   * Runs while the previous deploy is up, before the new one starts: e.g. a probe that stores evidence a
   * pre-deploy baseline can read. `traffic(n)` sends the scenario's first n requests to it.
   */
  duringPreviousDeploy?: (previous: { admin: RelayClient; traffic: (n: number) => Promise<string[]> }) => Promise<void>;
}

export async function startWorld(scenario: Scenario, opts: WorldOptions = {}): Promise<World> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `runtruth-${scenario.name}-`));
  const cleanups: Array<() => unknown> = [];
  const close = async () => {
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
  };
  try {
    const repo = buildRepo(path.join(dir, 'repo'), scenario.base, scenario.commits, { baseHoursAgo: scenario.baseHoursAgo });
    const relay = await startRelay({ host: '127.0.0.1', port: 0, dataDir: path.join(dir, 'relay'), log: () => undefined });
    cleanups.push(() => relay.close());
    if (!opts.keepDir) cleanups.unshift(() => fs.rmSync(dir, { recursive: true, force: true }));
    const agentKey = fs.readFileSync(relay.agentKeyFile, 'utf8').trim();
    const adminToken = fs.readFileSync(relay.adminTokenFile, 'utf8').trim();
    const admin = await RelayClient.connect({ relay: relay.url, token: adminToken, clientName: 'bench-admin' });
    cleanups.push(() => admin.close());

    if (opts.previousDeploy ?? true) {
      const old = worktree(repo.dir, repo.previous, path.join(dir, 'previous'));
      const child = startService(scenario, old, relay.url, agentKey);
      await untilRegistered(admin, scenario.service, repo.previous);
      if (opts.duringPreviousDeploy) {
        const previousPort = await child.port;
        const traffic = async (n: number) => {
          const out: string[] = [];
          for (let i = 0; i < n; i++) {
            const { path: route, body } = scenario.request(i);
            out.push(await post(previousPort, route, body));
          }
          return out;
        };
        await opts.duringPreviousDeploy({ admin, traffic }).catch(async (e) => {
          await stop(child.proc);
          throw e;
        });
      }
      await stop(child.proc);
    }
    const service = startService(scenario, repo.dir, relay.url, agentKey);
    cleanups.push(() => stop(service.proc));
    const port = await service.port;
    await untilRegistered(admin, scenario.service, repo.deployed);

    const responses: string[] = [];
    let i = 0;
    const timer = setInterval(() => {
      const { path: route, body } = scenario.request(i++);
      post(port, route, body).then((r) => responses.push(r), () => responses.push('<request failed>'));
    }, 1000 / (opts.rate ?? 40));
    cleanups.push(() => clearInterval(timer));

    const ai = await tokenClient(admin, relay.url, 'assistant', 'operator', true);
    cleanups.push(() => ai.close());
    const person = await tokenClient(admin, relay.url, 'oncall-alex', 'operator', false);
    cleanups.push(() => person.close());
    return { scenario, dir, repo, relay, port, ai, person, admin, responses, close };
  } catch (e) {
    await close();
    throw e;
  }
}

async function tokenClient(admin: RelayClient, relay: string, name: string, role: 'operator' | 'admin', ai: boolean): Promise<RelayClient> {
  const { secret } = await admin.request('token.create', { name, role, ai });
  return RelayClient.connect({ relay, token: secret, clientName: name });
}

function startService(scenario: Scenario, dir: string, relay: string, agentKey: string): { proc: ChildProcess; port: Promise<number> } {
  const env = { ...withoutRuntruth(process.env), PORT: '0', RUNTRUTH_RELAY: relay, RUNTRUTH_AGENT_KEY: agentKey, RUNTRUTH_SERVICE: scenario.service };
  const proc = spawn(process.execPath, ['--require', REGISTER, scenario.entry], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = new Promise<number>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${scenario.service} exited (${code}) before listening:\n${output}`)));
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) resolve(Number(m[1]));
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  });
  port.catch(() => undefined);
  return { proc, port };
}

async function untilRegistered(admin: RelayClient, service: string, commit: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { services } = await admin.request('services.list', {});
    if (services.some((s) => s.service === service && s.instances.some((i) => i.connected && i.commit === commit))) return;
    if (Date.now() > deadline) throw new Error(`${service} at ${commit.slice(0, 8)} did not register with the relay`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

function post(port: number, route: string, body: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, path: route, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(`${res.statusCode} ${text}`));
    });
    req.on('error', reject);
    req.end(data);
  });
}

function withoutRuntruth(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('RUNTRUTH_')));
}
