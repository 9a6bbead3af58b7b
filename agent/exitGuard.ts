import type { Worker } from 'node:worker_threads';
import type { HostToWorker } from './channel';

/**
 * Closing the worker's inspector session safely, in both directions:
 *
 * - With a session still attached when the process exits, Node prints "Waiting for the debugger to
 *   disconnect..." and process.exit() can hang. 'exit' handlers are synchronous, so the main thread asks the
 *   worker to disconnect and blocks on a shared word (Atomics) until it has.
 * - A disconnect is finished by the MAIN thread (it deletes the session, then posts one last message back to
 *   the worker). If the worker is torn down before that, Node aborts the process (SIGABRT in
 *   MainThreadInterface::Post; seen here on Node 20). So the worker stays alive until the main thread has
 *   acknowledged the disconnect, and at exit the main thread services that step while it waits.
 */
const SESSION_OPEN = 1;
const SESSION_CLOSING = 2;
const SESSION_CLOSED = 3; // 0 = no session yet
/** Upper bound on the exit delay we may add; a disconnect takes well under a millisecond. */
const EXIT_WAIT_MS = 500;
/** A short wait during which V8 runs the main thread's pending inspector work (the session's removal). */
const SETTLE_MS = 10;

export function createSessionState(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

export function markSessionOpen(state: Int32Array): void {
  Atomics.store(state, 0, SESSION_OPEN);
}

export function markSessionClosing(state: Int32Array): void {
  Atomics.store(state, 0, SESSION_CLOSING);
}

export function markSessionClosed(state: Int32Array): void {
  Atomics.store(state, 0, SESSION_CLOSED);
  Atomics.notify(state, 0);
}

export function isSessionClosed(state: Int32Array): boolean {
  return Atomics.load(state, 0) === SESSION_CLOSED;
}

/** Main thread, inside process.on('exit'): returns once the worker's session is gone (or after EXIT_WAIT_MS). */
export function closeSessionBeforeExit(worker: Worker, state: Int32Array): void {
  let current = Atomics.load(state, 0);
  if (current !== SESSION_OPEN && current !== SESSION_CLOSING) return;
  try {
    worker.postMessage({ type: 'exit' } satisfies HostToWorker);
    const deadline = Date.now() + EXIT_WAIT_MS;
    while ((current = Atomics.load(state, 0)) !== SESSION_CLOSED) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      Atomics.wait(state, 0, current, left); // V8 services inspector interrupts while waiting
    }
    Atomics.wait(state, 0, SESSION_CLOSED, SETTLE_MS);
  } catch {
    // the worker is already gone, and its session with it
  }
}
