import { isMainThread } from 'node:worker_threads';
import { errorMessage } from './diagnosticLog';
import { startFromEnv } from './index';

/**
 * `node --require runtruth/agent/register app.js`: starts the agent from RUNTRUTH_* variables. On a missing or
 * bad configuration it prints one line to stderr and does nothing else; it never throws into the app.
 * In the app's own worker threads (which inherit --require) it does nothing: one agent per process.
 */
if (isMainThread) {
  try {
    startFromEnv(process.env).ready.catch((e) => process.stderr.write(`runtruth: ${errorMessage(e)}\n`));
  } catch (e) {
    process.stderr.write(`runtruth: agent not started: ${errorMessage(e)}\n`);
  }
}
