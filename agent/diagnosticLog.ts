import fs from 'node:fs';

/** One line for the agent's own diagnostic log. Never the app's stdout/stderr: the app's output is its own. */
export type Log = (message: string) => void;

/** Lines kept in memory when no file is configured, for a post-mortem in a debugger or heap dump. */
const RECENT_LINES = 200;

/**
 * A log that appends to `file` (synchronously: lines are rare, and a crash must not lose the last one) and
 * always keeps the most recent lines in `recent`. Logging never throws.
 */
export function createLog(file: string | undefined, thread: 'main' | 'worker'): Log & { recent: string[] } {
  const recent: string[] = [];
  const log = (message: string) => {
    const line = `${new Date().toISOString()} [runtruth ${thread}] ${message}`;
    recent.push(line);
    if (recent.length > RECENT_LINES) recent.shift();
    if (!file) return;
    try {
      fs.appendFileSync(file, line + '\n');
    } catch {
      // an unwritable log must not take the agent (or the app) down
    }
  };
  return Object.assign(log, { recent });
}

/** The message of anything thrown, for a log line. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
