import { parentPort, workerData } from 'node:worker_threads';
import { AgentRuntime } from './agentRuntime';
import type { AgentStart, AgentWorkerData, HostToWorker, WorkerToHook, WorkerToHost } from './channel';
import { resolveConfig, type AgentConfig } from './config';
import { createLog, errorMessage } from './diagnosticLog';
import { buildInstanceInfo } from './instanceInfo';
import { WorkerSession } from './workerSession';

/**
 * Entry point of the agent's worker thread: owns the inspector session (connected to the main thread) and the
 * agent runtime. Everything slow or chatty happens here, off the app's thread. The worker ends when the agent
 * stops: probes out, relay closed, session closed (safely), ports closed.
 */
function runAgentWorker(data: AgentWorkerData): void {
  const control = parentPort!;
  const tell = (msg: WorkerToHost) => control.postMessage(msg);
  let config: AgentConfig;
  try {
    config = configFor(data.start);
  } catch (e) {
    tell({ type: 'failed', message: `agent not started: ${errorMessage(e)}` });
    data.hitPort.close();
    return void control.close();
  }
  tell({ type: 'configured' });
  const log = createLog(config.logFile, 'worker');
  log(`agent ${config.instanceId} starting (${config.mode}) for service ${config.service}, relay ${config.relayUrl}`);
  data.hitPort.postMessage({ type: 'cpuBudget', share: config.cpuBudget } satisfies WorkerToHook);

  let session: WorkerSession;
  try {
    session = new WorkerSession(data.sessionState, tell);
  } catch (e) {
    tell({ type: 'failed', message: `runtruth agent could not open an inspector session: ${errorMessage(e)}` });
    return void control.close();
  }

  let stopping: Promise<void> | undefined;
  let runtime: AgentRuntime | undefined;
  const stop = (why: string): Promise<void> =>
    (stopping ??= (async () => {
      log(`agent stopping: ${why}`);
      await runtime?.stop();
      await session.close(); // also drops this session's breakpoints
      data.hitPort.close();
      control.close(); // nothing holds the worker any more: it ends
    })().catch((e) => log(`stopping failed: ${errorMessage(e)}`)));

  // This listener is also what keeps the worker alive: an inspector session alone does not, and replies
  // to a worker that has gone idle are lost.
  control.on('message', (msg: HostToWorker) => {
    if (msg.type === 'exit') session.closeForExit();
    else if (msg.type === 'sessionClosedAck') session.onAcknowledged();
    else void stop('stop requested');
  });

  try {
    runtime = new AgentRuntime({
      config,
      instance: buildInstanceInfo(config, data.host),
      client: session.client,
      hitPort: data.hitPort,
      hitRing: data.hitRing,
      log,
      tell,
      onRefused: () => void stop('the relay refused this agent'),
    });
  } catch (e) {
    tell({ type: 'failed', message: `runtruth agent could not start: ${errorMessage(e)}` });
    return void stop('start-up failed');
  }
  runtime.start().catch((e) => {
    tell({ type: 'failed', message: `runtruth agent could not start: ${errorMessage(e)}` });
    void stop('start-up failed');
  });
}

/** The options, or the RUNTRUTH_* variables, validated; the instance id is the one the caller already has. */
function configFor(start: AgentStart): AgentConfig {
  if ('options' in start) return { ...resolveConfig(start.options), instanceId: start.instanceId };
  const { optionsFromEnv } = require('./envOptions') as typeof import('./envOptions');
  return { ...resolveConfig(optionsFromEnv(start.env), start.env), instanceId: start.instanceId };
}

runAgentWorker(workerData as AgentWorkerData);
