import path from 'node:path';
import { Worker } from 'node:worker_threads';

/** WAL pages the relay's own connection lets pile up before it checkpoints itself (a fallback: ~400 MB). */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 100_000;

/**
 * Starts the background checkpointer for a database file; returns the stop function (resolves once the
 * worker has closed its connection). If the worker fails, the main connection's fallback autocheckpoint
 * still bounds the WAL.
 */
export function startCheckpointer(file: string, log: (line: string) => void, intervalMs = 250): () => Promise<void> {
  const worker = new Worker(path.join(__dirname, 'checkpoint-worker.js'), { workerData: { file, intervalMs } });
  let warned = false;
  worker.on('message', (msg: { error?: string }) => {
    if (msg.error && !warned) {
      warned = true;
      log(`background checkpoint failed (${msg.error}); the relay checkpoints by itself instead`);
    }
  });
  worker.on('error', (err) => log(`background checkpointer stopped: ${err.message}`));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return async () => {
    worker.postMessage({ stop: true });
    const timer = setTimeout(() => void worker.terminate(), 2000);
    await exited;
    clearTimeout(timer);
  };
}
