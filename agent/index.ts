import { isMainThread } from 'node:worker_threads';
import type { AgentConfig, AgentOptions } from './config';
import { createLog, errorMessage } from './diagnosticLog';
import { installSlot, readSlot, removeSlot } from './globalSlot';
import { withTransientModules } from './transientModules';
import { WorkerHost, type AgentHandle } from './workerHost';

export type { AgentOptions } from './config';
export type { AgentHandle } from './workerHost';

/**
 * Starts the Runtruth agent in this process: a worker thread drives V8's inspector and dials out to the relay.
 * Returns at once (nothing waits for the network). Throws only for invalid options; every later fault is
 * logged and surfaces through `ready`. A second call returns the running agent's handle.
 */
export function start(options: AgentOptions): AgentHandle {
  return startWith(() => configModule().resolveConfig(options));
}

/**
 * `--require runtruth/agent/register`: the same, with options from RUNTRUTH_* variables. Throws one Error naming the
 * variables to fix (register.ts prints it and leaves the app alone).
 */
export function startFromEnv(env: NodeJS.ProcessEnv): AgentHandle {
  return startWith(() => configModule().resolveConfig((require('./envOptions') as typeof import('./envOptions')).optionsFromEnv(env)));
}

const configModule = () => require('./config') as typeof import('./config');

function startWith(resolve: () => AgentConfig): AgentHandle {
  const existing = readSlot<AgentHandle>();
  if (existing) return existing.handle;
  if (!isMainThread) throw new Error('runtruth agent: start() must be called on the main thread, not in a worker');
  // validated with zod here (a typo fails at the call site), then the schemas are let go (see transientModules)
  const config = withTransientModules(resolve);
  const log = createLog(config.logFile, 'main');
  try {
    const host: WorkerHost = new WorkerHost(config, log, () => removeSlot(host.handle));
    try {
      installSlot(host.handle, host.hook);
    } catch (e) {
      void host.handle.stop(); // e.g. a frozen globalThis: no hook, so no agent
      throw e;
    }
    log(`agent ${config.instanceId} starting (${config.mode}) for service ${config.service}, relay ${config.relayUrl}`);
    return host.handle;
  } catch (e) {
    // e.g. the worker could not be created: report through `ready`, never into the host app
    log(`agent could not start: ${errorMessage(e)}`);
    const ready = Promise.reject(new Error(`runtruth agent could not start: ${errorMessage(e)}`));
    ready.catch(() => undefined);
    return { instanceId: config.instanceId, ready, stop: async () => undefined };
  }
}
