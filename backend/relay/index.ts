import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { MAX_FRAME_BYTES } from '../protocol';
import { AgentKeys } from './agent-keys';
import { AgentHub } from './agents';
import { AuditLog, SYSTEM } from './audit';
import { AuthFailureAudit, type AuthFailureLimits } from './auth-failures';
import { startCheckpointer } from './checkpointer';
import { ClientHub, type ClientHubDeps } from './clients';
import { createMcpEndpoint } from '../mcp/relay-endpoint';
import { EvidenceIngest } from './evidence-ingest';
import { IncidentBook } from './incidents';
import { incidentWebhook } from './incidents-http';
import { redactingLog, stderrLog } from './log';
import { renderMetrics } from './metrics';
import type { OutboxLimits } from './outbox';
import { PolicyBook } from './policy';
import { ProbeBook } from './probes';
import { RequestLimiter, type RateLimit } from './rate-limit';
import { metricsGate } from './metrics-auth';
import { startRetention, type RetentionOptions } from './retention';
import { provisionSecrets, SecretVerifier } from './secrets';
import { listen } from './server';
import { newStats, type RelayStats } from './stats';
import { openStore } from './store';
import { TokenService } from './tokens';
import { relayVersion } from './version';

export { CloseCode, shouldReconnect } from './close-codes';
export type { RetentionOptions } from './retention';
export type { RelayStats } from './stats';
export type { RateLimit } from './rate-limit';

export interface RelayOptions {
  /** Interface to listen on. Default 127.0.0.1: exposing the relay is a deliberate choice. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Holds relay.db and the admin.token / agent.key files. Created (0700) if missing. */
  dataDir: string;
  /** Register this admin token instead of generating one (the CLI passes RUNTRUTH_ADMIN_TOKEN). */
  adminToken?: string;
  /** Register this agent key instead of generating one (the CLI passes RUNTRUTH_AGENT_KEY). */
  agentKey?: string;
  /** Receives one line per event; secrets are never in it. Default: stderr. */
  log?: (line: string) => void;
  retention?: RetentionOptions;
  /** A peer that has not said hello by then is closed. Default 5000. */
  handshakeTimeoutMs?: number;
  /** Ping interval; a peer that misses a pong is dropped. Default 15000. */
  heartbeatMs?: number;
  /** Per-client evidence queue limits (slow clients get gap markers instead of holding the relay up). */
  clientQueue?: Partial<Pick<OutboxLimits, 'maxQueuedItems' | 'maxBufferedBytes'>>;
  /** Requests per token (all its connections together). Default 50/s, bursts of 200. */
  requestRate?: RateLimit;
  /** PEM certificate (chain) and private key, contents or file paths: serve wss:// and https://. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Take client addresses from X-Forwarded-For (only behind a reverse proxy that sets it). */
  trustProxy?: boolean;
  /** Serve /metrics without a token. Default: a valid token (any role) as `Authorization: Bearer <token>`. */
  metricsPublic?: boolean;
  /** How many failed authentications are audited one by one (per source and overall, per minute) before they are summarised. */
  authFailureAudit?: Partial<AuthFailureLimits>;
}

export interface Relay {
  /** ws://host:port (wss:// with TLS) — agents dial `${url}/agent`, clients `${url}/client`. */
  url: string;
  port: number;
  adminTokenFile: string;
  agentKeyFile: string;
  stats(): RelayStats;
  close(): Promise<void>;
}

export async function startRelay(opts: RelayOptions): Promise<Relay> {
  const log = redactingLog(opts.log ?? stderrLog, [opts.adminToken, opts.agentKey]);
  const host = opts.host ?? '127.0.0.1';
  const tls = opts.tls && { cert: readPem(opts.tls.cert, 'certificate'), key: readPem(opts.tls.key, 'key') };
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const dbFile = path.join(opts.dataDir, 'relay.db');
  const store = openStore(dbFile, { backgroundCheckpoint: true });
  const stopBackground: (() => void)[] = [];
  let stopCheckpointer: (() => Promise<void>) | undefined;
  try {
    stopCheckpointer = startCheckpointer(dbFile, log);
    const files = provisionSecrets({ store: store.secrets, dataDir: opts.dataDir, adminToken: opts.adminToken, agentKey: opts.agentKey, log });
    const verifier = new SecretVerifier(store.secrets);
    const audit = new AuditLog(store.audit);
    const policy = new PolicyBook({ store: store.policy, audit });
    const stats = newStats();
    const failures = new AuthFailureAudit({ audit, stats }, opts.authFailureAudit);
    stopBackground.push(() => failures.flush());
    const version = relayVersion();
    store.registry.markAllDisconnected();

    // the books announce changes to the hubs, which are created after them, hence the late binding
    let agents: AgentHub | undefined;
    let clients: ClientHub | undefined;
    let mcpHub: ClientHub | undefined; // MCP sessions: AI-origin clients of the same machinery
    const agentKeys = new AgentKeys({
      store: store.secrets,
      audit,
      failures,
      log,
      revoked: (ids) => agents?.keysRevoked(ids),
      connectedWith: (id) => agents?.connectedWith(id) ?? 0,
    });
    const probes = new ProbeBook({
      probes: store.probes,
      audit,
      log,
      events: { live: (p) => agents?.probeAdded(p), ended: (p) => agents?.probeRemoved(p), changed: (r) => (clients?.probeChanged(r), mcpHub?.probeChanged(r)) },
    });
    const tokens = new TokenService({ store: store.secrets, audit, log, revoked: (ids) => (clients?.revoked(ids), mcpHub?.revoked(ids)) });
    const incidents = new IncidentBook({ store: store.incidents, audit, log, changed: (i) => clients?.incidentChanged(i) });
    const clientDeps: ClientHubDeps = {
      verifier,
      failures,
      agentKeys,
      secrets: store.secrets,
      registry: store.registry,
      probes,
      probeStore: store.probes,
      evidence: store.evidence,
      policy,
      tokens,
      audit,
      auditStore: store.audit,
      incidents,
      limiter: new RequestLimiter(opts.requestRate ?? { perSecond: 50, burst: 200 }),
      outboxLimits: {
        maxQueuedItems: opts.clientQueue?.maxQueuedItems ?? 10_000,
        maxBufferedBytes: opts.clientQueue?.maxBufferedBytes ?? 8 * 1024 * 1024,
        maxFrameBytes: MAX_FRAME_BYTES,
      },
      stats,
      relayVersion: version,
      log,
    };
    const clientHub = new ClientHub(clientDeps);
    clients = clientHub;
    const mcp = createMcpEndpoint(clientDeps);
    mcpHub = mcp.hub;
    const mcpRoute = (req: http.IncomingMessage, res: http.ServerResponse, remote: string) => mcp.endpoint.handle(req, res, remote);
    const ingest = new EvidenceIngest({ evidence: store.evidence, streams: store.streams, transaction: store.transaction, reports: clientHub, stats });
    const agentHub = new AgentHub({ keys: agentKeys, streams: store.streams, registry: store.registry, probes, probeStore: store.probes, ingest, reports: clientHub, audit, policy, stats, relayVersion: version, log });
    agents = agentHub;

    probes.start();
    stopBackground.push(() => probes.stop());
    stopBackground.push(startRetention(store.evidence, opts.retention ?? {}, log, stats));

    const server = await listen({
      host,
      port: opts.port,
      endpoints: { '/agent': agentHub, '/client': clientHub },
      handshakeTimeoutMs: opts.handshakeTimeoutMs ?? 5000,
      heartbeatMs: opts.heartbeatMs ?? 15_000,
      hardBufferLimit: 64 * 1024 * 1024,
      health: () => ({ agents: agentHub.connectedCount, clients: clientHub.connectedCount }),
      routes: { 'POST /mcp': mcpRoute, 'GET /mcp': mcpRoute, 'DELETE /mcp': mcpRoute, 'POST /incidents': incidentWebhook({ incidents, verifier, secrets: store.secrets, audit, failures, log }) },
      metricsAllowed: metricsGate({ public: opts.metricsPublic ?? false, verifier, failures }),
      metrics: () =>
        renderMetrics({
          stats,
          agents: agentHub.connectedCount,
          clients: clientHub.connectedCount,
          probes: { live: probes.count('live'), proposed: probes.count('proposed') },
          clientQueueDepths: clientHub.queueDepths(),
          auditEntries: store.audit.size(),
          evidenceLastId: store.evidence.lastId(),
          evidenceBytes: store.evidence.storedBytes(),
        }),
      tls,
      trustProxy: opts.trustProxy,
      log,
    });
    const url = `${tls ? 'wss' : 'ws'}://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
    audit.record({ actor: SYSTEM, action: 'relay.started', details: { version, url } });
    log(`listening on ${url} (agents: ${url}/agent, clients: ${url}/client); data in ${opts.dataDir}`);

    let closing: Promise<void> | undefined;
    const close = async (): Promise<void> => {
      await mcp.endpoint.close();
      await server.close(); // sessions end first, while the store can still record disconnects
      ingest.flush(); // evidence received in the last turn is stored, not lost
      for (const stop of stopBackground) stop();
      audit.record({ actor: SYSTEM, action: 'relay.stopped' });
      await stopCheckpointer?.();
      store.close();
      log('stopped');
    };
    return { url, port: server.port, ...files, stats: () => structuredClone(stats), close: () => (closing ??= close()) };
  } catch (err) {
    for (const stop of stopBackground) stop();
    await stopCheckpointer?.();
    store.close();
    throw err;
  }
}

/** PEM text as given, or read from the file it names. */
function readPem(value: string | Buffer, what: string): string | Buffer {
  if (Buffer.isBuffer(value) || value.includes('-----BEGIN')) return value;
  try {
    return fs.readFileSync(value);
  } catch (err) {
    throw new Error(`cannot read the TLS ${what} file ${value}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
