/**
 * Runs in a worker thread: copies the WAL back into relay.db every few hundred ms on its own connection.
 * A checkpoint ends with an fsync (tens of ms on real disks); done by the commit that crosses the autocheckpoint
 * threshold it stalled the relay's event loop, and with it every agent and client.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new Database(file);
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = NORMAL');

const timer = setInterval(() => {
  try {
    // PASSIVE never waits on the relay's writes: it copies what it can and tries again next time
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
}, intervalMs);

parentPort?.on('message', (msg: { stop?: boolean }) => {
  if (!msg.stop) return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
