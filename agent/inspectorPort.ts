import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import CDP from 'chrome-remote-interface';

/** Where SIGUSR1 makes Node open its inspector (the default --inspect address). */
export const SIGUSR1_HOST = '127.0.0.1';
export const SIGUSR1_PORT = 9229;

/** Checks that `pid` exists and is ours to signal, with one clear line when not. */
export function assertSignalable(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`invalid pid ${pid}`);
  if (process.platform === 'win32') throw new Error('attaching by pid needs SIGUSR1, which Windows lacks: start the app with --inspect and attach with --inspect HOST:PORT');
  try {
    process.kill(pid, 0);
  } catch (e) {
    throw signalError(pid, e);
  }
  const program = programOf(pid);
  if (program && !/node/i.test(path.basename(program.exe)) && !/node/i.test(path.basename(program.argv0))) {
    // SIGUSR1's default action is to terminate: never send it to something that is not Node
    throw new Error(`pid ${pid} does not look like a Node.js process (${program.exe}); not sending SIGUSR1, which would terminate it`);
  }
}

/** The executable and argv[0] of a process, where /proc tells (Linux); undefined elsewhere or when unreadable. */
function programOf(pid: number): { exe: string; argv0: string } | undefined {
  try {
    const exe = fs.readlinkSync(`/proc/${pid}/exe`);
    const argv0 = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return { exe, argv0 };
  } catch {
    return undefined;
  }
}

/** Asks Node in `pid` to open its inspector on 127.0.0.1:9229. */
export function sendSigusr1(pid: number): void {
  try {
    process.kill(pid, 'SIGUSR1');
  } catch (e) {
    throw signalError(pid, e);
  }
}

function signalError(pid: number, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ESRCH') return new Error(`no such process: pid ${pid} (ESRCH)`);
  if (code === 'EPERM') return new Error(`permission denied to signal pid ${pid} (EPERM): run as the user that owns it, or as root`);
  return new Error(`cannot signal pid ${pid}: ${(e as Error).message}`);
}

/** The inspector's targets at host:port, or undefined when nothing answers there. */
export async function listTargets(host: string, port: number): Promise<CDP.Target[] | undefined> {
  try {
    return await CDP.List({ host, port });
  } catch {
    return undefined;
  }
}

/** Polls until the inspector at host:port answers, or gives up after `timeoutMs`. */
export async function waitForInspector(host: string, port: number, timeoutMs: number): Promise<CDP.Target[] | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const targets = await listTargets(host, port);
    if (targets?.length || Date.now() >= deadline) return targets?.length ? targets : undefined;
    await sleep(25);
  }
}

/** Polls until host:port refuses connections; false if it still accepts them after `timeoutMs`. */
export async function waitForPortClosed(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await accepts(host, port))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
