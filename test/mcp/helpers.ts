import assert from 'node:assert/strict';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { RelayClient } from '../../backend/client/relayClient';
import { startRelay, type Relay, type RelayOptions } from '../../backend/relay';
import { Child, Children, CLI, ROOT, startNode } from '../support/proc';
import { tempDir } from '../support/tmp';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
const AGENT_KEY = 'test-agent-key-0123456789';
const CHECKOUT = path.join(ROOT, 'examples/checkout/src/server.js');
const REGISTER = path.join(ROOT, 'dist/agent/register.js');

export type Transport = 'http' | 'stdio';

/** A real relay on 127.0.0.1, the checkout example with the agent preloaded, and an admin acting as the approving person. */
export class World {
  readonly children = new Children();
  readonly tmp = tempDir('runtruth-mcp-');
  readonly relayLog: string[] = [];
  /** Every token secret handed out, to check none ever reaches a log. */
  readonly minted: string[] = [];
  relay!: Relay;
  admin!: RelayClient;
  app!: Child;
  appPort = 0;
  private readonly clients: Client[] = [];

  constructor(private readonly relayOptions: Partial<RelayOptions> = {}) {}

  async start(): Promise<void> {
    this.relay = await startRelay({ port: 0, dataDir: path.join(this.tmp.dir, 'relay'), adminToken: ADMIN_TOKEN, agentKey: AGENT_KEY, log: (l) => this.relayLog.push(l), ...this.relayOptions });
    this.admin = await RelayClient.connect({ relay: this.relay.url, token: ADMIN_TOKEN, clientName: 'approver' });
    const env = { ...process.env, RUNTRUTH_RELAY: this.relay.url, RUNTRUTH_AGENT_KEY: AGENT_KEY, RUNTRUTH_SERVICE: 'checkout', RUNTRUTH_COMMIT: 'abc1234def', PORT: '0' };
    this.app = this.children.add(startNode(['--require', REGISTER, CHECKOUT], 'checkout', { env, cwd: path.dirname(CHECKOUT) }));
    this.appPort = Number((await this.app.waitForLine(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    await waitFor(async () => (await this.admin.request('services.list', {})).services.some((s) => s.service === 'checkout' && s.instances.some((i) => i.connected)), 'the checkout agent to connect');
  }

  get httpUrl(): string {
    return `${this.relay.url.replace(/^ws/, 'http')}/mcp`;
  }

  /** A token for an assistant's user; the secret is returned once, as from `runtruth token create`. */
  async token(name: string, role: 'viewer' | 'operator' | 'admin'): Promise<string> {
    const { secret } = await this.admin.request('token.create', { name, role });
    this.minted.push(secret);
    return secret;
  }

  /** The SDK's real client over the chosen transport. */
  async connect(transport: Transport, token: string, name = 'test-assistant'): Promise<Client> {
    const client = new Client({ name, version: '1.2.3' });
    const t =
      transport === 'http'
        ? new StreamableHTTPClientTransport(new URL(this.httpUrl), { requestInit: { headers: { authorization: `Bearer ${token}` } } })
        : new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--relay', this.relay.url, '--token', token], cwd: this.tmp.dir, stderr: 'pipe' });
    await client.connect(t);
    this.clients.push(client);
    return client;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close().catch(() => undefined)));
    await this.admin?.close();
    await this.children.killAll();
    await this.relay?.close();
    this.tmp.cleanup();
  }
}

/** The text of a tool answer, and whether it is a tool error. */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<{ text: string; isError: boolean; structured?: Record<string, unknown> }> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = result.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
  return { text, isError: result.isError === true, ...(result.structuredContent ? { structured: result.structuredContent } : {}) };
}

/** Like call(), but the tool must succeed. */
export async function ok(client: Client, name: string, args: Record<string, unknown> = {}): Promise<{ text: string; structured?: Record<string, unknown> }> {
  const r = await call(client, name, args);
  assert.equal(r.isError, false, `${name} failed: ${r.text}`);
  return r;
}

/** Polls until `check` holds (effects with nothing to wait on, e.g. evidence arriving through the relay). */
export async function waitFor(check: () => Promise<boolean> | boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
