import inspector from 'node:inspector';
import { parentPort, workerData } from 'node:worker_threads';
import { PROTOCOL_VERSION } from '../backend/protocol/messages';
import type { AgentWorkerData, HitBatch, HostToWorker, WorkerToHook, WorkerToHost } from './channel';
import { createLog, errorMessage } from './diagnosticLog';
import { BreakpointEngine } from './engine/breakpointEngine';
import { ScriptRegistry } from './engine/scriptRegistry';
import { EVIDENCE_LIMITS, EvidenceQueue } from './evidenceQueue';
import { markSessionClosed, markSessionOpen } from './exitGuard';
import { InspectorClient } from './inspectorClient';
import { buildInstanceInfo } from './instanceInfo';
import { ProbeManager } from './probeManager';
import { RelayLink } from './relayLink';
import { SerialQueue } from './serialQueue';

/** Evidence waits while this many bytes are already queued in the socket (a slow relay). */
const MAX_SOCKET_BACKLOG_BYTES = 4 * 1024 * 1024;
/** How often changed hit counts are reported in statuses. */
const HIT_COUNT_INTERVAL_MS = 5000;

/**
 * The agent's worker thread: owns the inspector session (connected to the main thread), the probe engine and
 * the relay link. Everything slow or chatty happens here, off the app's thread.
 */
async function runAgentWorker(data: AgentWorkerData): Promise<void> {
  const control = parentPort!;
  const { config, hitPort, sessionState } = data;
  const log = createLog(config.logFile, 'worker');
  const tell = (msg: WorkerToHost) => control.postMessage(msg);
  const toHook = (msg: WorkerToHook) => hitPort.postMessage(msg);

  // This listener is also what keeps the worker alive: an inspector session alone does not, and replies
  // to a worker that has gone idle are lost.
  control.on('message', (msg: HostToWorker) => {
    if (msg.type === 'exit') closeSession();
    else void shutdown('stop requested');
  });

  const session = new inspector.Session();
  session.connectToMainThread();
  markSessionOpen(sessionState);
  const client = new InspectorClient(session);
  const closeSession = () => {
    client.disconnect();
    markSessionClosed(sessionState);
  };
  const scripts = new ScriptRegistry(client);
  // Blocks the main thread while V8 reports every loaded script: done once, and measured. Async stack traces
  // stay off (Debugger.setAsyncCallStackDepth costs ~90% of a busy service's throughput).
  const enableStart = performance.now();
  await client.post('Debugger.enable', {});
  log(`Debugger.enable took ${(performance.now() - enableStart).toFixed(1)} ms (the main thread was blocked about as long)`);

  const queue = new EvidenceQueue();
  let flushTimer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  const ops = new SerialQueue(); // relay messages apply in arrival order, each to completion

  const link: RelayLink = new RelayLink({
    url: config.relayUrl,
    hello: { type: 'agent.hello', protocol: PROTOCOL_VERSION, agentKey: config.agentKey, instance: buildInstanceInfo(data) },
    log,
    onWelcome: () => {
      tell({ type: 'welcomed' });
      flushEvidence();
    },
    onMessage: (msg) =>
      void ops
        .run(() => (msg.type === 'probe.sync' ? manager.sync(msg.probes) : msg.type === 'probe.add' ? manager.add(msg.probe) : manager.remove(msg.probeId)))
        .catch((e) => log(`applying ${msg.type} failed: ${errorMessage(e)}`)),
    onRefused: (message) => {
      tell({ type: 'refused', message });
      void shutdown(message);
    },
    onFirstFailure: (message) => tell({ type: 'unreachable', message }),
  });

  const engine = new BreakpointEngine(client, scripts, (s) => manager.onEngineStatus(s), log);
  const manager: ProbeManager = new ProbeManager({
    engine,
    instanceId: config.instanceId,
    arm: (probe) => toHook({ type: 'arm', probe }),
    disarm: (probeId) => toHook({ type: 'disarm', probeId }),
    sendStatuses: (statuses) => void link.send({ type: 'probe.status', statuses }),
    log,
  });

  function flushEvidence(): void {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    while (link.ready && link.bufferedAmount < MAX_SOCKET_BACKLOG_BYTES) {
      const batch = queue.takeBatch();
      if (!batch) return;
      link.send({ type: 'evidence', ...batch });
    }
    if (queue.size) flushTimer = setTimeout(flushEvidence, EVIDENCE_LIMITS.flushIntervalMs);
  }

  hitPort.on('message', (batch: HitBatch) => {
    queue.addDropped(batch.dropped);
    for (const item of manager.acceptHits(batch)) queue.push(item);
    if (queue.full) flushEvidence();
    else flushTimer ??= setTimeout(flushEvidence, EVIDENCE_LIMITS.flushIntervalMs);
  });
  const hitCounts = setInterval(() => manager.reportHitCounts(), HIT_COUNT_INTERVAL_MS);

  function shutdown(why: string): Promise<void> {
    stopping ??= (async () => {
      log(`agent stopping: ${why}`);
      clearInterval(hitCounts);
      await ops.run(() => manager.dispose()).catch((e) => log(`removing probes failed: ${errorMessage(e)}`));
      flushEvidence();
      clearTimeout(flushTimer);
      await link.stop();
      await client.post('Debugger.disable').catch(() => undefined);
      closeSession();
      hitPort.close();
      control.close(); // nothing left holding the worker: it ends
    })();
    return stopping;
  }

  link.start();
}

runAgentWorker(workerData as AgentWorkerData).catch((e) => {
  parentPort?.postMessage({ type: 'failed', message: `runtruth agent could not start: ${errorMessage(e)}` } satisfies WorkerToHost);
  process.exit(1); // ends this worker thread only
});
