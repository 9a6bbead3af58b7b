import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const REGISTER = path.join(ROOT, 'dist/agent/register.js');

export interface RunningService {
  child: ChildProcess;
  port: number;
  commit: string;
  stop(): Promise<void>;
}

/** Checks out `ref` in the demo repository and compiles it (tsc with source maps), like a CI build would. */
export function buildAt(repo: string, ref: string): string {
  execFileSync('git', ['checkout', '-q', ref], { cwd: repo });
  execFileSync(process.execPath, [TSC, '-p', repo, '--typeRoots', path.join(ROOT, 'node_modules/@types')], { cwd: repo, stdio: 'pipe' });
  return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
}

/**
 * Deploys the compiled service with the agent preloaded (`--require runtruth/agent/register`), the way a
 * production start script would; the agent reads the deployed commit from the repository's .git.
 */
export async function startTradingService(repo: string, env: { relay: string; agentKey: string; service: string }): Promise<RunningService> {
  const child = spawn(process.execPath, ['--require', REGISTER, path.join(repo, 'dist/server.js')], {
    cwd: repo,
    env: { ...process.env, PORT: '0', RUNTRUTH_RELAY: env.relay, RUNTRUTH_AGENT_KEY: env.agentKey, RUNTRUTH_SERVICE: env.service },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`the trading service exited during start (${code})`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
  });
  child.stderr!.resume();
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  return {
    child,
    port,
    commit,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
