import path from 'node:path';
import CDP from 'chrome-remote-interface';
import { resolveConfig, type AgentOptions } from './config';
import { errorMessage } from './diagnosticLog';
import { assertSignalable, listTargets, sendSigusr1, SIGUSR1_HOST, SIGUSR1_PORT, waitForInspector, waitForPortClosed } from './inspectorPort';

export interface AttachOptions {
  /** A Node process started with no flags: its inspector is opened with SIGUSR1, used once, and closed again. */
  pid?: number;
  /** A Node process started with --inspect: its inspector is used and left open. */
  inspect?: { host: string; port: number };
  agent: AgentOptions;
  /** Overall budget for the agent to start and be welcomed by the relay. Default 15 s. */
  timeoutMs?: number;
  /** Progress lines for a person (the CLI prints them to stderr). */
  log?: (line: string) => void;
}

export interface AttachResult {
  pid: number;
  instanceId: string;
}

const INSPECTOR_OPEN_TIMEOUT_MS = 3000;
const DEFAULT_TIMEOUT_MS = 15_000;
/** Delay before the target closes its inspector port: long enough for our client to disconnect first. */
const CLOSE_PORT_DELAY_MS = 100;

/**
 * Loads the agent into a running Node process through its inspector, without a restart. One Runtime.evaluate
 * with the command-line API (for a synchronous `require`) starts the agent; the agent then runs on its own
 * worker-thread session and needs no open port, so a port we opened is closed again.
 */
export async function attach(options: AttachOptions): Promise<AttachResult> {
  const log = options.log ?? (() => undefined);
  if ((options.pid === undefined) === (options.inspect === undefined)) throw new Error('attach needs exactly one of pid or inspect');
  const agentOptions: AgentOptions = { ...options.agent, mode: 'attach' };
  resolveConfig(agentOptions); // bad options fail here, not inside the target
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const { host, port, opened } = options.pid !== undefined ? await openInspectorOf(options.pid, log) : { ...options.inspect!, opened: false };
  let client: CDP.Client | undefined;
  let ours = false; // only ever close a port we opened, in the process we meant
  try {
    client = await CDP({ host, port, local: true });
    const pid = await evaluateValue<number>(client, 'process.pid');
    if (options.pid !== undefined && pid !== options.pid) {
      throw new Error(`the inspector on ${host}:${port} belongs to pid ${pid}, not ${options.pid} (port ${port} busy?)`);
    }
    ours = opened;
    const instanceId = await withTimeout(bootstrapAgent(client, agentOptions), timeoutMs, `the agent in pid ${pid} was not welcomed by the relay within ${timeoutMs} ms`);
    log(`agent started in pid ${pid} as ${instanceId}`);
    return { pid, instanceId };
  } finally {
    if (ours) await closeInspectorPortLater(client!).catch((e) => log(`could not close the inspector port: ${errorMessage(e)}`));
    await client?.close().catch(() => undefined);
    if (ours) {
      if (await waitForPortClosed(host, port, 2000)) log(`inspector port ${host}:${port} closed again`);
      else log(`warning: the inspector port ${host}:${port} of pid ${options.pid} is still open`);
    }
  }
}

/** Opens pid's inspector with SIGUSR1 unless it is already open; `opened` says whether we must close it. */
async function openInspectorOf(pid: number, log: (line: string) => void): Promise<{ host: string; port: number; opened: boolean }> {
  const host = SIGUSR1_HOST;
  const port = SIGUSR1_PORT;
  assertSignalable(pid);
  if (await listTargets(host, port)) {
    // something already listens there: fine if it is our target (started with --inspect), else the port is busy
    log(`an inspector already answers on ${host}:${port}; using it`);
    return { host, port, opened: false };
  }
  const started = Date.now();
  sendSigusr1(pid);
  if (!(await waitForInspector(host, port, INSPECTOR_OPEN_TIMEOUT_MS))) {
    throw new Error(
      `the inspector of pid ${pid} did not open on ${host}:${port} within ${INSPECTOR_OPEN_TIMEOUT_MS / 1000} s ` +
        `(the app may handle SIGUSR1 itself, port ${port} may be busy, or Node was started with --disable-sigusr1)`,
    );
  }
  log(`sent SIGUSR1 to pid ${pid}; inspector open on ${host}:${port} after ${Date.now() - started} ms`);
  return { host, port, opened: true };
}

/** Starts the agent inside the target and resolves with its instance id once the relay welcomed it. */
async function bootstrapAgent(client: CDP.Client, agentOptions: AgentOptions): Promise<string> {
  // `require` exists only synchronously inside this evaluate (command-line API), so everything that needs it
  // happens right here, not in a callback.
  const expression = `(() => {
    try {
      const agent = require(${JSON.stringify(path.join(__dirname, 'index.js'))});
      const handle = agent.start(${JSON.stringify(agentOptions)});
      return handle.ready.then(() => handle.instanceId);
    } catch (e) {
      return Promise.reject(e);
    }
  })()`;
  return evaluateValue<string>(client, expression, { includeCommandLineAPI: true, awaitPromise: true });
}

/** Has the target close the inspector port shortly, after our client has disconnected (the agent's own session stays). */
async function closeInspectorPortLater(client: CDP.Client): Promise<void> {
  await evaluateValue(client, `(() => { const inspector = require('inspector'); setTimeout(() => { try { inspector.close() } catch {} }, ${CLOSE_PORT_DELAY_MS}); return true })()`, {
    includeCommandLineAPI: true,
  });
}

async function evaluateValue<T>(client: CDP.Client, expression: string, extra: { includeCommandLineAPI?: boolean; awaitPromise?: boolean } = {}): Promise<T> {
  const { result, exceptionDetails } = await client.Runtime.evaluate({ expression, returnByValue: true, ...extra });
  if (exceptionDetails) {
    const description = exceptionDetails.exception?.description ?? exceptionDetails.exception?.value ?? exceptionDetails.text;
    throw new Error(String(description).split('\n')[0]!.replace(/^(Uncaught )?(\(in promise\) )?(Error: )?/, ''));
  }
  return result.value as T;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
