import { parentPort, workerData } from 'node:worker_threads';
import { AgentRuntime } from './agentRuntime';
import type { AgentWorkerData, HostToWorker, WorkerToHost } from './channel';
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
  const log = createLog(data.config.logFile, 'worker');
  const tell = (msg: WorkerToHost) => control.postMessage(msg);

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
      config: data.config,
      instance: buildInstanceInfo(data),
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

runAgentWorker(workerData as AgentWorkerData);
