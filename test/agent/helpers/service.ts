import fs from 'node:fs';
import path from 'node:path';
import type { SpawnOptions } from 'node:child_process';
import { Child, Children, ROOT, startNode } from '../../support/proc';
import { tempDir } from '../../support/tmp';
import { expectedTickLine, writeFixtureApp } from './fixtures';
import { waitUntil } from './wait';

export const REGISTER = path.join(ROOT, 'dist/agent/register.js');
export const AGENT_INDEX = path.join(ROOT, 'dist/agent/index.js');
export const AGENT_KEY = 'test-agent-key-0123456789';

/** A fixture app in a temp dir, the children started for it, and its agent's diagnostic log. */
export class FixtureWorld {
  readonly children = new Children();
  readonly tmp = tempDir('runtruth-agent-');
  readonly app: string;
  readonly agentLog: string;

  constructor(extraFiles: Record<string, string> = {}) {
    this.app = writeFixtureApp(this.tmp.dir, extraFiles);
    this.agentLog = path.join(this.tmp.dir, 'agent.log');
  }

  /** Env for `--require register`: the test relay, a test key, service "svc", our log file. */
  agentEnv(relayUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { ...process.env, RUNTRUTH_RELAY: relayUrl, RUNTRUTH_AGENT_KEY: AGENT_KEY, RUNTRUTH_SERVICE: 'svc', RUNTRUTH_LOG_FILE: this.agentLog, ...extra };
  }

  /** Starts `node [args] <entry>` in the fixture dir (127.0.0.1 only), with an IPC channel for control messages. */
  startApp(label: string, opts: { args?: string[]; env?: NodeJS.ProcessEnv; entry?: string; ipc?: boolean } = {}): Child {
    const spawnOptions: SpawnOptions = {
      cwd: this.tmp.dir,
      env: opts.env ?? withoutRuntruthEnv(process.env),
      stdio: opts.ipc === false ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe', 'ipc'],
    };
    return this.children.add(startNode([...(opts.args ?? []), opts.entry ?? this.app], label, spawnOptions));
  }

  readAgentLog(): string {
    return fs.existsSync(this.agentLog) ? fs.readFileSync(this.agentLog, 'utf8') : '';
  }

  async dispose(): Promise<void> {
    await this.children.killAll();
    this.tmp.cleanup();
  }
}

function withoutRuntruthEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('RUNTRUTH_')));
}

/** The app's tick lines so far, checked against what the app prints without any agent. */
export function assertTicksUnchanged(child: Child): number {
  const ticks = child.stdoutLines.filter((l) => l.startsWith('tick '));
  ticks.forEach((line, n) => {
    if (line !== expectedTickLine(n)) throw new Error(`${child.label}: tick line ${n} changed: got "${line}", expected "${expectedTickLine(n)}"`);
  });
  return ticks.length;
}

/** Waits until the app has printed `count` more tick lines than now (it is still running and unaffected). */
export function waitForMoreTicks(child: Child, count: number): Promise<number> {
  const start = child.stdoutLines.filter((l) => l.startsWith('tick ')).length;
  return waitUntil(() => {
    const now = child.stdoutLines.filter((l) => l.startsWith('tick ')).length;
    return now >= start + count ? now : undefined;
  }, `${count} more ticks from ${child.label}`, 15_000, () => child.lines.slice(-10).join('\n'));
}

/** The child's stderr lines (without the "[stderr] " prefix the support helper adds). */
export function stderrLines(child: Child): string[] {
  return child.lines.filter((l) => l.startsWith('[stderr] ')).map((l) => l.slice('[stderr] '.length));
}

/** Sends an IPC control message to a fixture app. */
export function tell(child: Child, message: 'load-late' | 'load-caller' | 'exit' | 'stop'): void {
  child.proc.send(message);
}
