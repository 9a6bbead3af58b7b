import fs from 'node:fs';
import path from 'node:path';
import { MAX_FRAME_BYTES } from '../protocol';
import { AgentHub } from './agents';
import { ClientHub } from './clients';
import { redactingLog, stderrLog } from './log';
import type { OutboxLimits } from './outbox';
import { ProbeBook } from './probes';
import { startRetention, type RetentionOptions } from './retention';
import { provisionSecrets, SecretVerifier } from './secrets';
import { listen } from './server';
import { newStats, type RelayStats } from './stats';
import { openStore } from './store';
import { relayVersion } from './version';

export { CloseCode } from './close-codes';
export type { RetentionOptions } from './retention';
export type { RelayStats } from './stats';

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
}

export interface Relay {
  /** ws://host:port — agents dial `${url}/agent`, clients `${url}/client`. */
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
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const store = openStore(path.join(opts.dataDir, 'relay.db'));
  const stopBackground: (() => void)[] = [];
  try {
    const files = provisionSecrets({ store: store.secrets, dataDir: opts.dataDir, adminToken: opts.adminToken, agentKey: opts.agentKey, log });
    const verifier = new SecretVerifier(store.secrets);
    const stats = newStats();
    const version = relayVersion();
    store.registry.markAllDisconnected();

    // the probe book announces changes to agents; the hub is created after it, hence the late binding
    let agents: AgentHub | undefined;
    const probes = new ProbeBook({
      probes: store.probes,
      registry: store.registry,
      log,
      events: { added: (p) => agents?.probeAdded(p), removed: (p) => agents?.probeRemoved(p) },
    });
    const clients = new ClientHub({
      verifier,
      registry: store.registry,
      probes,
      probeStore: store.probes,
      evidence: store.evidence,
      outboxLimits: {
        maxQueuedItems: opts.clientQueue?.maxQueuedItems ?? 10_000,
        maxBufferedBytes: opts.clientQueue?.maxBufferedBytes ?? 8 * 1024 * 1024,
        maxFrameBytes: MAX_FRAME_BYTES,
      },
      stats,
      relayVersion: version,
      log,
    });
    const agentHub = new AgentHub({ verifier, registry: store.registry, probes, probeStore: store.probes, evidence: store.evidence, reports: clients, stats, relayVersion: version, log });
    agents = agentHub;

    probes.start();
    stopBackground.push(() => probes.stop());
    stopBackground.push(startRetention(store.evidence, opts.retention ?? {}, log));

    const server = await listen({
      host,
      port: opts.port,
      endpoints: { '/agent': agentHub, '/client': clients },
      handshakeTimeoutMs: opts.handshakeTimeoutMs ?? 5000,
      heartbeatMs: opts.heartbeatMs ?? 15_000,
      hardBufferLimit: 64 * 1024 * 1024,
      health: () => ({ agents: agentHub.connectedCount, clients: clients.connectedCount }),
      log,
    });
    const url = `ws://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
    log(`listening on ${url} (agents: ${url}/agent, clients: ${url}/client); data in ${opts.dataDir}`);

    let closing: Promise<void> | undefined;
    const close = async (): Promise<void> => {
      await server.close(); // sessions end first, while the store can still record disconnects
      for (const stop of stopBackground) stop();
      store.close();
      log('stopped');
    };
    return { url, port: server.port, ...files, stats: () => ({ ...stats }), close: () => (closing ??= close()) };
  } catch (err) {
    for (const stop of stopBackground) stop();
    store.close();
    throw err;
  }
}
