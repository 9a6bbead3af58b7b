import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../..');
export const CLI = path.join(ROOT, 'bin/runtruth.js');

/** A child process whose output we keep, line by line, for assertions and for failure messages. */
export class Child {
  readonly lines: string[] = [];
  private readonly waiters = new Set<() => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly proc: ChildProcess, readonly label: string) {
    const onData = (stream: string) => {
      let rest = '';
      return (chunk: Buffer) => {
        const parts = (rest + chunk.toString('utf8')).split('\n');
        rest = parts.pop()!;
        for (const p of parts) this.lines.push(stream === 'err' ? `[stderr] ${p}` : p);
        for (const w of this.waiters) w();
      };
    };
    proc.stdout?.on('data', onData('out'));
    proc.stderr?.on('data', onData('err'));
    this.exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get stdoutLines(): string[] {
    return this.lines.filter((l) => !l.startsWith('[stderr] '));
  }

  /** Resolves with the first line (old or new) matching `re`; rejects with the output so far after `ms`. */
  waitForLine(re: RegExp, ms = 15000): Promise<RegExpExecArray> {
    return this.waitFor(() => {
      for (const l of this.lines) {
        const m = re.exec(l);
        if (m) return m;
      }
      return undefined;
    }, ms, `a line matching ${re}`);
  }

  waitFor<T>(probe: () => T | undefined, ms: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = probe();
        if (v !== undefined && v !== false) {
          done();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.label}: timed out after ${ms} ms waiting for ${what}; output:\n${this.lines.slice(-40).join('\n')}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill(signal);
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(t);
  }
}

export function start(cmd: string, args: string[], label: string, opts: SpawnOptions = {}): Child {
  return new Child(spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts }), label);
}

export function startNode(args: string[], label: string, opts: SpawnOptions = {}): Child {
  return start(process.execPath, args, label, opts);
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI to completion (as a user would, in a child process). */
export async function runCli(args: string[], opts: SpawnOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
  const child = startNode([CLI, ...args], `runtruth ${args[0]}`, opts);
  const t = setTimeout(() => child.proc.kill('SIGKILL'), opts.timeoutMs ?? 30000);
  const { code } = await child.exited;
  clearTimeout(t);
  return {
    code,
    stdout: child.lines.filter((l) => !l.startsWith('[stderr] ')).join('\n'),
    stderr: child.lines.filter((l) => l.startsWith('[stderr] ')).map((l) => l.slice(9)).join('\n'),
  };
}

/** Tracks children started by a test so `afterEach` can always stop them. */
export class Children {
  private readonly all: Child[] = [];
  add<C extends Child>(c: C): C {
    this.all.push(c);
    return c;
  }
  async killAll(): Promise<void> {
    await Promise.all(this.all.splice(0).map((c) => c.kill()));
  }
}
