import fs from 'node:fs';
import path from 'node:path';
import { RelayClient } from '../../../backend/client/relayClient';
import { postJson, sleep } from '../../support/http';
import { Child, ROOT, startNode } from '../../support/proc';

/** Whose relay and agent to run: this checkout's build, or (RUNTRUTH_TEST_RUNTIME_ROOT) another built checkout. */
const RUNTIME_ROOT = process.env.RUNTRUTH_TEST_RUNTIME_ROOT ?? ROOT;

/**
 * A real runtime for extension tests: the relay (`runtruth relay`) and the checkout example with the agent
 * preloaded (`--require dist/agent/register.js`), each in its own child process, on loopback with a temp data dir.
 * Used from the VS Code extension host (integration suite) and from the browser end-to-end test.
 */
export interface RuntimeFixture {
  relayUrl: string;
  adminToken: string;
  /** The workspace folder holding the service's source (a copy of examples/checkout). */
  workspace: string;
  validateJs: string;
  appPort: number;
  /** Sends one order to the service. */
  order(amount: unknown, currency?: string): Promise<unknown>;
  /** Starts one more instance of the service (its own process and agent); resolves once it is listening. */
  startInstance(): Promise<{ stop(): Promise<void> }>;
  /** Stops the relay and starts it again on the same port and data (agents and clients must reconnect). */
  restartRelay(): Promise<void>;
  stop(): Promise<void>;
}

/** `workspace`: an existing copy made with `copyCheckout` (the harness makes it before VS Code opens it), else a new one. */
export async function startRuntimeFixture(root: string, opts: { service?: string; workspace?: string } = {}): Promise<RuntimeFixture> {
  const service = opts.service ?? 'checkout';
  const dataDir = path.join(root, 'relay-data');
  const workspace = opts.workspace ?? copyCheckout(path.join(root, 'workspace', service));
  let relay = await startRelayProcess(dataDir, 0);
  const relayUrl = relay.url;
  const port = Number(new URL(relayUrl).port);
  const adminToken = fs.readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
  const agentKey = fs.readFileSync(path.join(dataDir, 'agent.key'), 'utf8').trim();
  const startApp = (label: string) =>
    startNode(['--require', path.join(RUNTIME_ROOT, 'dist/agent/register.js'), path.join(workspace, 'src/server.js')], label, {
      cwd: workspace,
      env: { ...process.env, PORT: '0', RUNTRUTH_RELAY: relayUrl, RUNTRUTH_AGENT_KEY: agentKey, RUNTRUTH_SERVICE: service },
    });
  const app = startApp(service);
  const appPort = Number((await app.waitForLine(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
  const extra = new Set<Child>();
  await waitForAgent(relayUrl, adminToken, service);
  return {
    relayUrl,
    adminToken,
    workspace,
    validateJs: path.join(workspace, 'src/validate.js'),
    appPort,
    order: async (amount, currency = 'USD') => (await postJson(appPort, '/orders', { amount, currency })).body,
    async startInstance() {
      const child = startApp(`${service}-${extra.size + 2}`);
      extra.add(child);
      await child.waitForLine(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      return {
        stop: async () => {
          extra.delete(child);
          await child.kill();
        },
      };
    },
    async restartRelay() {
      await relay.child.kill('SIGTERM');
      relay = await startRelayProcess(dataDir, port);
      await waitForAgent(relayUrl, adminToken, service);
    },
    async stop() {
      await Promise.all([app.kill(), relay.child.kill(), ...[...extra].map((c) => c.kill())]);
    },
  };
}

async function startRelayProcess(dataDir: string, port: number): Promise<{ child: Child; url: string }> {
  const child = startNode([path.join(RUNTIME_ROOT, 'bin/runtruth.js'), 'relay', '--port', String(port), '--data', dataDir], 'relay');
  const url = (await child.waitForLine(/listening on (ws:\/\/127\.0\.0\.1:\d+)/, 20_000))[1]!;
  return { child, url };
}

/** Waits until the relay lists a connected instance of `service` (the agent dials out with backoff). */
export async function waitForAgent(relayUrl: string, token: string, service: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const client = await RelayClient.connect({ relay: relayUrl, token, clientName: 'runtruth-test' });
      try {
        const { services } = await client.request('services.list', {});
        if (services.some((s) => s.service === service && s.instances.some((i) => i.connected))) return;
      } finally {
        await client.close();
      }
    } catch {
      // relay still starting
    }
    if (Date.now() > deadline) throw new Error(`no connected '${service}' agent at ${relayUrl} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** A private copy of examples/checkout, so tests can edit files and the service runs the copy. */
export function copyCheckout(dest: string): string {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.cpSync(path.join(ROOT, 'examples/checkout'), dest, { recursive: true });
  return dest;
}
