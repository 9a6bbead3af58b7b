import { isMainThread } from 'node:worker_threads';
import type { AgentStart } from './channel';
import type { AgentOptions } from './config';
import { createLog, errorMessage } from './diagnosticLog';
import { installSlot, readSlot, removeSlot } from './globalSlot';
import { defaultInstanceId } from './instanceId';
import { missingEnvProblem } from './requiredEnv';
import { WorkerHost, type AgentHandle } from './workerHost';

export type { AgentOptions } from './config';
export type { AgentHandle } from './workerHost';

/**
 * Starts the Runtruth agent in this process: a worker thread validates the options, drives V8's inspector and dials
 * out to the relay. Returns at once (nothing waits for the network, and zod never loads on this thread: it cost a
 * service ~65 ms of start-up and a young generation grown to 16 MB). Bad options reject `ready` with one readable
 * Error and the agent stays off; it never throws into the app. A second call returns the running agent's handle.
 */
export function start(options: AgentOptions): AgentHandle {
  const given = (options as { instanceId?: unknown } | undefined)?.instanceId;
  const logFile = (options as { logFile?: unknown } | undefined)?.logFile;
  return startWith({ instanceId: typeof given === 'string' && given ? given : defaultInstanceId(), options }, typeof logFile === 'string' && logFile ? logFile : process.env.RUNTRUTH_LOG_FILE);
}

/**
 * `--require runtruth/agent/register`: the same, with options from RUNTRUTH_* variables. Throws at once when the
 * required ones are missing (register.ts prints it and leaves the app alone); a bad value rejects `ready`.
 */
export function startFromEnv(env: NodeJS.ProcessEnv): AgentHandle {
  const missing = missingEnvProblem(env);
  if (missing) throw new Error(missing);
  const runtruth: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (name.startsWith('RUNTRUTH_') && value !== undefined) runtruth[name] = value;
  return startWith({ instanceId: defaultInstanceId(), env: runtruth }, env.RUNTRUTH_LOG_FILE);
}

/** `logFile`: the main thread's log, chosen as the worker's is (the option, else RUNTRUTH_LOG_FILE of the same source). */
function startWith(request: AgentStart, logFile: string | undefined): AgentHandle {
  const existing = readSlot<AgentHandle>();
  if (existing) return existing.handle;
  if (!isMainThread) throw new Error('runtruth agent: start() must be called on the main thread, not in a worker');
  const log = createLog(logFile || undefined, 'main');
  try {
    const host: WorkerHost = new WorkerHost(request, log, () => removeSlot(host.handle));
    try {
      installSlot(host.handle, host.hook);
    } catch (e) {
      void host.handle.stop(); // e.g. a frozen globalThis: no hook, so no agent
      throw e;
    }
    return host.handle;
  } catch (e) {
    // e.g. the worker could not be created (options that cannot be cloned into it): report through `ready`
    log(`agent could not start: ${errorMessage(e)}`);
    const ready = Promise.reject(new Error(`runtruth agent could not start: ${errorMessage(e)}`));
    ready.catch(() => undefined);
    return { instanceId: request.instanceId, ready, stop: async () => undefined };
  }
}
