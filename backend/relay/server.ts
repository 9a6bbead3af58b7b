import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES } from '../protocol';
import { Connection, type Endpoint } from './connection';

/**
 * Frames up to MAX_FRAME_BYTES are protocol; up to twice that are still read so the sender gets a typed
 * `too_large` reply and keeps its connection. Beyond this, `ws` closes with 1009 rather than buffer more.
 */
export const HARD_FRAME_LIMIT = 2 * MAX_FRAME_BYTES;
const SHUTDOWN_GRACE_MS = 1000;

export interface ServerOptions {
  host: string;
  port: number;
  /** WebSocket endpoints by URL path, e.g. `/agent`. */
  endpoints: Record<string, Endpoint<unknown, unknown>>;
  handshakeTimeoutMs: number;
  heartbeatMs: number;
  hardBufferLimit: number;
  /** Body of `GET /healthz`, besides `ok`. */
  health: () => Record<string, number>;
  /** Body of `GET /metrics` (Prometheus text). */
  metrics?: () => string;
  /** Whether this request may read /metrics (absent: anyone). */
  metricsAllowed?: (req: http.IncomingMessage, remote: string) => boolean;
  /** Plain HTTP routes besides health and metrics, keyed `METHOD /path` (e.g. `POST /incidents`, the alert webhook). */
  routes?: Record<string, (req: http.IncomingMessage, res: http.ServerResponse, remote: string) => Promise<void>>;
  /** PEM certificate chain and key: serve https/wss instead of http/ws. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Behind a reverse proxy: take the peer address from X-Forwarded-For (as the proxy sets it). */
  trustProxy?: boolean;
  log: (line: string) => void;
}

export interface RelayServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The HTTP listener: `/healthz`, and WebSocket upgrades routed to their endpoint. Nothing else is served. */
export async function listen(opts: ServerOptions): Promise<RelayServer> {
  const connections = new Set<Connection<unknown, unknown>>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_FRAME_LIMIT });
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = pathOf(req.url);
    if (req.method === 'GET' && path === '/healthz') return reply(res, 200, { ok: true, ...opts.health() });
    if (req.method === 'GET' && path === '/metrics' && opts.metrics) {
      if (opts.metricsAllowed && !opts.metricsAllowed(req, remoteOf(req, opts.trustProxy ?? false))) {
        res.setHeader('www-authenticate', 'Bearer realm="runtruth"');
        return reply(res, 401, { ok: false, error: 'a token is required: Authorization: Bearer <token> (or start the relay with --metrics-public)' });
      }
      return replyText(res, 200, opts.metrics());
    }
    const route = opts.routes && Object.hasOwn(opts.routes, `${req.method} ${path}`) ? opts.routes[`${req.method} ${path}`] : undefined;
    if (route) return void route(req, res, remoteOf(req, opts.trustProxy ?? false));
    if (path in opts.endpoints) return reply(res, 426, { ok: false, error: 'this path takes a WebSocket upgrade' });
    reply(res, 404, { ok: false, error: 'not found' });
  };
  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : http.createServer(handler);

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy()); // a peer resetting mid-handshake is not the relay's problem
    const endpoint = Object.hasOwn(opts.endpoints, pathOf(req.url)) ? opts.endpoints[pathOf(req.url)] : undefined;
    if (!endpoint) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const remote = remoteOf(req, opts.trustProxy ?? false);
      const connection = new Connection(ws, endpoint, remote, opts);
      connections.add(connection);
      void connection.done.then(() => connections.delete(connection));
    });
  });

  const heartbeat = setInterval(() => {
    for (const c of connections) c.heartbeat();
  }, opts.heartbeatMs);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('relay is not listening on a TCP port');

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    clearInterval(heartbeat);
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([...connections].map((c) => shutdownWithin(c, SHUTDOWN_GRACE_MS)));
    wss.close();
    server.closeAllConnections();
    await stopped;
  };
  return { port: address.port, close: () => (closing ??= close()) };
}

async function shutdownWithin(connection: Connection<unknown, unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      connection.terminate();
      resolve();
    }, ms);
  });
  await Promise.race([connection.shutdown(), late]);
  clearTimeout(timer);
}

function pathOf(url: string | undefined): string {
  return new URL(url ?? '/', 'http://relay').pathname;
}

/** `address:port` of the peer; with a trusted proxy, the client address it reports (the last hop it appended). */
function remoteOf(req: http.IncomingMessage, trustProxy: boolean): string {
  const direct = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
  const forwarded = req.headers['x-forwarded-for'];
  if (!trustProxy || typeof forwarded !== 'string') return direct;
  const client = forwarded.split(',').pop()?.trim().slice(0, 64);
  return client ? `${client} via ${direct}` : direct;
}

function replyText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function reply(res: http.ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
