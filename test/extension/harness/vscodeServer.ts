import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

/** First-run UI that would cover what the tests look at, switched off. */
const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'window.restoreWindows': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.enabled': false,
  'files.hotExit': 'off',
};

export interface VsCodeServer {
  url: string;
  port: number;
  /** Where the server keeps user settings (`User/settings.json`). */
  userDataDir: string;
  /** `vscode-remote://127.0.0.1:port/<absolute path>`: how the browser names a file on the server. */
  remoteUri(absolutePath: string): string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  vscodeDir: string;
  /** A throwaway folder: HOME, XDG dirs, user data, extensions and the server log go here. */
  runDir: string;
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  /** VSIX files to install before the server starts. */
  install?: string[];
  log: (line: string) => void;
}

/**
 * Starts the VS Code server (server-main.js from code-server's bundled VS Code) on 127.0.0.1 in its own process
 * group, with every writable location inside `runDir`. `stop()` kills the whole group: each browser session
 * otherwise leaves an extension host waiting hours for a reconnect.
 */
export async function startVsCodeServer(opts: ServerOptions): Promise<VsCodeServer> {
  const dirs = { ud: path.join(opts.runDir, 'user-data'), sd: path.join(opts.runDir, 'server-data'), ext: path.join(opts.runDir, 'extensions'), home: path.join(opts.runDir, 'home') };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  fs.mkdirSync(path.join(dirs.ud, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.ud, 'User/settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...opts.settings }, null, 1));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
    XDG_DATA_HOME: path.join(dirs.home, '.local/share'),
    XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
    XDG_STATE_HOME: path.join(dirs.home, '.local/state'),
    ...opts.env,
  };
  delete env.NODE_OPTIONS; // the test runner's flags are not the extension host's
  const serverMain = path.join(opts.vscodeDir, 'out/server-main.js');
  const common = ['--user-data-dir', dirs.ud, '--server-data-dir', dirs.sd, '--extensions-dir', dirs.ext, '--accept-server-license-terms', '--disable-telemetry'];
  for (const vsix of opts.install ?? []) await installExtension(serverMain, vsix, common, env, opts.log);

  const port = await freePort();
  const logFile = path.join(opts.runDir, 'vscode-server.log');
  const child = spawn(
    process.execPath,
    [serverMain, '--host', '127.0.0.1', '--port', String(port), '--without-connection-token', '--enable-smoke-test-driver', '--disable-workspace-trust', ...common],
    { env, detached: true, stdio: ['ignore', fs.openSync(logFile, 'w'), fs.openSync(logFile, 'a')] },
  );
  const stop = () => stopGroup(child);
  try {
    await waitForHttp(`http://127.0.0.1:${port}/version`, 30_000, child);
  } catch (e) {
    await stop();
    throw new Error(`${e instanceof Error ? e.message : e}; server log:\n${tail(logFile)}`);
  }
  opts.log(`VS Code server on http://127.0.0.1:${port} (log: ${logFile})`);
  return { url: `http://127.0.0.1:${port}`, port, userDataDir: dirs.ud, remoteUri: (p) => `vscode-remote://127.0.0.1:${port}${p}`, stop };
}

async function installExtension(serverMain: string, vsix: string, common: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  const child = spawn(process.execPath, [serverMain, '--install-extension', vsix, '--force', ...common], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0 || !/successfully installed/i.test(output)) throw new Error(`installing ${vsix} failed (exit ${code}):\n${output}`);
  log(`installed ${path.basename(vsix)}`);
}

function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => signalGroup(child, 'SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      signalGroup(child, 'SIGKILL'); // extension hosts the server spawned, if any outlived it
      resolve();
    });
    signalGroup(child, 'SIGTERM');
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal); // only the group this harness created
  } catch {
    // already gone
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitForHttp(url: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the VS Code server exited (${child.exitCode}) before answering`);
    const status = await new Promise<number>((resolve) => http.get(url, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', () => resolve(0)));
    if (status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the VS Code server did not answer ${url} within ${timeoutMs} ms`);
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
