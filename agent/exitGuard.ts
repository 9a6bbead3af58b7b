import type { Worker } from 'node:worker_threads';
import type { HostToWorker } from './channel';

/**
 * With a worker's inspector session still attached when the process exits, Node prints "Waiting for the
 * debugger to disconnect..." and process.exit() can hang. 'exit' handlers must be synchronous, so the main
 * thread asks the worker to disconnect and blocks on a shared word (Atomics) until it has, briefly.
 */
// The word: 0 = no session yet, 1 = open, 2 = closed.
const SESSION_OPEN = 1;
const SESSION_CLOSED = 2;
/** Upper bound on the exit delay we may add; a disconnect takes well under a millisecond. */
const EXIT_WAIT_MS = 500;

export function createSessionState(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

export function markSessionOpen(state: Int32Array): void {
  Atomics.store(state, 0, SESSION_OPEN);
}

export function markSessionClosed(state: Int32Array): void {
  Atomics.store(state, 0, SESSION_CLOSED);
  Atomics.notify(state, 0);
}

/** Main thread, inside process.on('exit'): returns once the worker's session is closed (or after EXIT_WAIT_MS). */
export function closeSessionBeforeExit(worker: Worker, state: Int32Array): void {
  if (Atomics.load(state, 0) !== SESSION_OPEN) return;
  try {
    worker.postMessage({ type: 'exit' } satisfies HostToWorker);
    Atomics.wait(state, 0, SESSION_OPEN, EXIT_WAIT_MS);
  } catch {
    // the worker is already gone, and its session with it
  }
}
