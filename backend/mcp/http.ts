import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, RuntruthError } from '../protocol';
import type { AuthFailureAudit } from '../relay/auth-failures';
import type { ClientHub } from '../relay/clients';
import type { SecretVerifier } from '../relay/secrets';
import { RelaySessionCaller } from './relay-session';
import { createRuntruthMcpServer } from './tools';

export interface McpHttpOptions {
  /** A ClientHub whose verifier marks identities AI (see ai-origin.ts). */
  hub: ClientHub;
  verifier: SecretVerifier;
  /** The relay's capped auth-failure audit (shared with the WebSocket endpoints). */
  failures: AuthFailureAudit;
  version: string;
  log: (line: string) => void;
  /** Open MCP sessions at once (each holds a relay session). Default 256. */
  maxSessions?: number;
  /** Open sessions per token; a new one ends that token's least recently used (a restarted assistant rarely says goodbye). Default 8. */
  maxSessionsPerToken?: number;
  /** A session unused this long is ended; its client initializes a new one. Default 30 min. */
  idleMs?: number;
}

interface McpSession {
  id: string;
  tokenId: string | undefined;
  caller: RelaySessionCaller;
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  lastUsed: number;
}

const SESSION_HEADER = 'mcp-session-id';

/**
 * The relay's `/mcp`: MCP over Streamable HTTP, session-based. A session is opened by `initialize` with a
 * bearer token and holds one relay client session for its life, so the token is checked and `token.used`
 * audited once per session, revocation ends it at once, and the proposals' lifecycle pushes are remembered.
 * Every later request must carry the same token (re-checked each time: a revoked or expired token gets 401).
 */
export class McpHttpEndpoint {
  private readonly sessions = new Map<string, McpSession>();
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly opts: McpHttpOptions) {
    this.sweep = setInterval(() => this.dropIdle(), Math.min(60_000, this.idleMs));
    this.sweep.unref();
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Never throws: every failure is an HTTP answer (or logged once the answer has started). */
  async handle(req: http.IncomingMessage, res: http.ServerResponse, remote: string): Promise<void> {
    try {
      await this.route(req, res, remote);
    } catch (err) {
      this.opts.log(`${remote}: /mcp failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!res.headersSent) answer(res, 500, 'the relay failed to handle this MCP request; it has been logged');
      else res.end();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    await Promise.all([...this.sessions.keys()].map((id) => this.drop(id)));
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse, remote: string): Promise<void> {
    const token = bearerOf(req);
    if (!token) return unauthorized(res, 'an MCP client must send Authorization: Bearer <relay token>');
    const check = this.opts.verifier.checkToken(token, new Date());
    if (!check.ok) {
      this.opts.failures.record(remote, { endpoint: 'mcp', reason: check.reason, ...(check.tokenId ? { tokenId: check.tokenId, name: check.name } : {}) });
      return unauthorized(res, check.reason === 'expired' ? 'token expired' : 'unknown or revoked token');
    }
    const sessionId = req.headers[SESSION_HEADER];
    if (typeof sessionId === 'string') {
      const session = this.sessions.get(sessionId);
      if (!session) return answer(res, 404, 'no such MCP session (it ended or the relay restarted): initialize a new one');
      if (session.tokenId !== check.identity.tokenId) return answer(res, 403, 'this MCP session belongs to another token');
      session.lastUsed = Date.now();
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      if (body instanceof RuntruthError) return refuseBody(res, body);
      await session.transport.handleRequest(req, res, body);
      if (req.method === 'DELETE') await this.drop(sessionId);
      return;
    }
    if (req.method !== 'POST') return answer(res, 400, `no ${SESSION_HEADER} header: POST an initialize request first`);
    const body = await readJson(req);
    if (body instanceof RuntruthError) return refuseBody(res, body);
    const clientInfo = initializeClientInfo(body);
    if (!clientInfo) return answer(res, 400, `no ${SESSION_HEADER} header: the first request of a session must be initialize`);
    await this.makeRoomFor(check.identity.tokenId);
    if (this.sessions.size >= (this.opts.maxSessions ?? 256)) return answer(res, 503, 'too many open MCP sessions at this relay; close one (DELETE) or retry later');
    let session: McpSession;
    try {
      session = await this.open(token, check.identity.tokenId, clientInfo, remote);
    } catch (err) {
      if (err instanceof RuntruthError && err.code === 'unauthorized') return unauthorized(res, err.message); // revoked in between
      throw err;
    }
    await session.transport.handleRequest(req, res, body);
    // an initialize the SDK refused (e.g. a protocol version it does not speak) leaves no session behind
    if (session.transport.sessionId === undefined) await this.drop(session.id);
  }

  private async makeRoomFor(tokenId: string | undefined): Promise<void> {
    const mine = [...this.sessions.values()].filter((s) => s.tokenId === tokenId).sort((a, b) => a.lastUsed - b.lastUsed);
    const excess = mine.length - ((this.opts.maxSessionsPerToken ?? 8) - 1);
    for (const s of mine.slice(0, Math.max(0, excess))) await this.drop(s.id);
  }

  private async open(token: string, tokenId: string | undefined, clientInfo: { name: string; version: string }, remote: string): Promise<McpSession> {
    const id = randomUUID();
    const hello = { type: 'client.hello' as const, protocol: PROTOCOL_VERSION, token, client: { name: `mcp:${clientInfo.name}`.slice(0, 64), version: clientInfo.version.slice(0, 64) } };
    const caller = new RelaySessionCaller(this.opts.hub, hello, remote, (why) => {
      this.opts.log(`MCP session ${id} ended by the relay: ${why}`);
      void this.drop(id);
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => id, enableJsonResponse: true });
    const server = createRuntruthMcpServer({ caller, ended: caller.ended, version: this.opts.version });
    const session: McpSession = { id, tokenId, caller, transport, server, lastUsed: Date.now() };
    this.sessions.set(id, session);
    transport.onclose = () => void this.drop(id);
    await server.connect(transport);
    this.opts.log(`MCP session ${id} opened by '${hello.client.name}' ${hello.client.version} from ${remote}`);
    return session;
  }

  private async drop(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    session.caller.close();
    await session.server.close().catch(() => undefined);
  }

  private dropIdle(): void {
    const oldest = Date.now() - this.idleMs;
    for (const [id, s] of this.sessions) if (s.lastUsed < oldest) void this.drop(id);
  }

  private get idleMs(): number {
    return this.opts.idleMs ?? 30 * 60_000;
  }
}

function bearerOf(req: http.IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/** The clientInfo of an initialize request, or undefined when the body is not one. */
function initializeClientInfo(body: unknown): { name: string; version: string } | undefined {
  const message = Array.isArray(body) && body.length === 1 ? body[0] : body;
  if (typeof message !== 'object' || message === null || (message as { method?: unknown }).method !== 'initialize') return undefined;
  const info = (message as { params?: { clientInfo?: { name?: unknown; version?: unknown } } }).params?.clientInfo;
  return { name: typeof info?.name === 'string' && info.name ? info.name : 'unknown', version: typeof info?.version === 'string' ? info.version : '0' };
}

/** The JSON body, bounded like a WebSocket frame; a RuntruthError (not thrown) when it is too large or not JSON. */
async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FRAME_BYTES) return new RuntruthError('too_large', `an MCP request body may be at most ${MAX_FRAME_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return new RuntruthError('bad_message', 'the request body is not JSON');
  }
}

/** A body that was too large was not read to its end: the connection cannot carry another request. */
function refuseBody(res: http.ServerResponse, error: RuntruthError): void {
  if (error.code === 'too_large') answer(res, 413, error.message, { connection: 'close' });
  else answer(res, 400, error.message);
}

function unauthorized(res: http.ServerResponse, message: string): void {
  answer(res, 401, message, { 'www-authenticate': 'Bearer realm="runtruth"' });
}

/** A JSON-RPC error body, as MCP clients expect from a Streamable HTTP endpoint. */
function answer(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  const text = JSON.stringify({ jsonrpc: '2.0', error: { code: status === 401 ? -32001 : -32000, message }, id: null });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
