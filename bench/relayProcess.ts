import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

/** What relay-server.js reports once it listens. */
export interface RelayInfo {
  url: string;
  adminToken: string;
  agentKey: string;
}

export interface RelayProcessOptions {
  /**
   * Scheduling priority (nice, 0–19). The agent bench gives the relay the lowest: it shares the load generator's core,
   * standing in for a relay on another machine, and at normal priority its bursts (a batch of evidence stored at once)
   * stall the closed-loop generator, which then offers the service fewer requests: the service's loss is overstated.
   */
  nice?: number;
  /** No timers in the relay process beyond the relay's own (no event-loop or peak-RSS sampling): see relay-server.ts. */
  quiet?: boolean;
  /**
   * Runs the relay on these cores (a taskset list) under SCHED_IDLE: it then runs only when they have nothing else to
   * run, so on the service's core below saturation it takes none of the service's time (see the capacity bench).
   */
  idleOn?: string;
}

/** The relay in a process of its own (bench/relay-server.ts), so no bench loop shares its event loop. */
export function startRelayProcess(opts: RelayProcessOptions = {}): Promise<{ child: ChildProcess; info: RelayInfo }> {
  // RUNTRUTH_BENCH_PROFILE=dir writes a CPU profile of the relay process there
  const profile = process.env.RUNTRUTH_BENCH_PROFILE;
  const child = fork(path.join(__dirname, 'relay-server.js'), opts.quiet ? ['--quiet'] : [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [] });
  if (opts.nice) os.setPriority(child.pid!, opts.nice);
  if (opts.idleOn) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', opts.idleOn, String(child.pid)], { stdio: 'ignore' });
      execFileSync('chrt', ['-a', '--idle', '-p', '0', String(child.pid)], { stdio: 'ignore' });
    } catch (err) {
      child.kill('SIGKILL'); // not left running where the bench cannot stop it
      throw err;
    }
  }
  return new Promise((resolve, reject) => {
    child.once('message', (info) => {
      const { url, adminToken, agentKey } = info as RelayInfo;
      resolve({ child, info: { url, adminToken: adminToken.trim(), agentKey: agentKey.trim() } });
    });
    child.once('exit', (code) => reject(new Error(`relay exited (${code})`)));
  });
}

/** One IPC request to the relay process and its answer. */
export function ask<T>(child: ChildProcess, message: object): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(message);
  });
}

/** Stops the relay process (it closes the relay and removes its data directory first). */
export function stopRelayProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => (clearTimeout(timer), resolve()));
    child.send({ stop: true });
  });
}
