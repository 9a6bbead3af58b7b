import path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { AgentStart, AgentWorkerData, HostToWorker, WorkerToHost } from './channel';
import { errorMessage, type Log } from './diagnosticLog';
import { closeSessionBeforeExit, createSessionState } from './exitGuard';
import { createHitRingMemory } from './hook/hitRing';
import { HitHook } from './hook/hitHook';

/**
 * The worker's young generation, capped: left to V8 it grows to 32 MB under a steady flow of hits (V8 answers any
 * steady survival by growing it to its maximum), though what the worker holds at once is small.
 */
const WORKER_YOUNG_GENERATION_MB = 8;

export interface AgentHandle {
  readonly instanceId: string;
  /** Resolves when the relay welcomed the agent; rejects with a clear Error when it refused us or was unreachable. */
  readonly ready: Promise<void>;
  /** Removes every probe, closes the inspector session and the relay connection, and ends the worker. */
  stop(): Promise<void>;
}

/** How long stop() waits for the worker to wind down before terminating it. */
const STOP_TIMEOUT_MS = 3000;

/**
 * The main-thread side of a running agent: spawns the worker that owns the inspector session and the relay
 * link, and the hook probes report into. Nothing here can throw into the host app after construction.
 */
export class WorkerHost {
  readonly hook: HitHook;
  readonly handle: AgentHandle;
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private settleReady?: (error?: Error) => void;
  private stopping?: Promise<void>;

  constructor(
    request: AgentStart,
    private readonly log: Log,
    private readonly onGone: () => void,
  ) {
    const { port1, port2 } = new MessageChannel();
    const sessionState = createSessionState();
    const hitRing = createHitRingMemory();
    this.hook = new HitHook(port1, hitRing); // the configured CPU budget follows from the worker
    const workerData: AgentWorkerData = {
      start: request,
      host: { startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(), cwd: process.cwd() },
      hitPort: port2,
      hitRing,
      sessionState,
    };
    this.worker = new Worker(path.join(__dirname, 'worker.js'), {
      workerData,
      transferList: [port2],
      execArgv: [], // never inherit --require of this very agent, --inspect, etc.
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      env: envWithoutNodeOptions(),
    });
    const ready = new Promise<void>((resolve, reject) => {
      this.settleReady = (error) => {
        this.settleReady = undefined;
        if (error) reject(error);
        else resolve();
      };
    });
    ready.catch(() => undefined); // a host that ignores `ready` must not get an unhandled rejection
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    const onExit = () => closeSessionBeforeExit(this.worker, sessionState);
    process.on('exit', onExit);
    this.worker.on('message', (msg: WorkerToHost) => this.onWorkerMessage(msg));
    this.worker.on('error', (e) => {
      this.log(`agent worker failed: ${errorMessage(e)}`);
      this.settleReady?.(new Error(`runtruth agent failed: ${errorMessage(e)}`));
    });
    this.worker.once('exit', () => {
      process.off('exit', onExit);
      this.hook.clear();
      this.settleReady?.(new Error('runtruth agent stopped before the relay welcomed it'));
      this.onGone();
    });
    // The agent must never keep the host process alive, except for the ~100 ms the worker takes to judge the
    // options: an app that ends sooner still gets the line that says why the agent did not start.
    this.worker.once('message', () => this.worker.unref());
    this.handle = Object.freeze({ instanceId: request.instanceId, ready, stop: () => this.stop() });
  }

  private onWorkerMessage(msg: WorkerToHost): void {
    // by the time this JS runs, V8 has run the pending removal of the session the worker disconnected
    if (msg.type === 'sessionClosed') return this.worker.postMessage({ type: 'sessionClosedAck' } satisfies HostToWorker);
    if (msg.type === 'welcomed') return this.settleReady?.();
    if (msg.type === 'configured') return;
    this.log(`agent ${msg.type}: ${msg.message}`);
    this.settleReady?.(new Error(msg.message));
  }

  private stop(): Promise<void> {
    this.stopping ??= (async () => {
      try {
        this.worker.postMessage({ type: 'stop' } satisfies HostToWorker);
      } catch {
        // already gone
      }
      const timer = setTimeout(() => void this.worker.terminate(), STOP_TIMEOUT_MS);
      timer.unref();
      await this.exited;
      clearTimeout(timer);
    })();
    return this.stopping;
  }
}

function envWithoutNodeOptions(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // a --require of this agent there would start an agent inside the agent
  return env;
}
