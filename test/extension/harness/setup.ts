import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Installs what the extension tests need into a cache folder (`.vscode-test/`) and reuses it between runs:
 * the VS Code server from the npm package code-server (its VS Code 1.100 runs on Node 20), and Debian's Chromium.
 * @vscode/test-electron cannot download VS Code on machines without internet; this needs only npm and apt.
 * Nothing here skips: a missing piece is installed, and a failed install fails the run.
 */
export const CODE_SERVER_VERSION = '4.100.3';
/** code-server 4.100.3's VS Code depends on @vscode/ripgrep 1.15.11, whose postinstall downloads this asset from GitHub. */
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
export const CHROMIUM = process.env.RUNTRUTH_CHROMIUM ?? '/usr/bin/chromium';

export interface TestTools {
  /** lib/vscode inside the installed code-server: `out/server-main.js` is the VS Code server. */
  vscodeDir: string;
  chromium: string;
}

export function ensureTools(cacheDir: string, log: (line: string) => void): TestTools {
  fs.mkdirSync(cacheDir, { recursive: true });
  ensureChromium(log);
  return { vscodeDir: ensureCodeServer(cacheDir, log), chromium: CHROMIUM };
}

function ensureChromium(log: (line: string) => void): void {
  if (fs.existsSync(CHROMIUM)) return;
  log(`${CHROMIUM} is missing: installing Debian's chromium`);
  aptInstall(['chromium']);
  if (!fs.existsSync(CHROMIUM)) throw new Error(`chromium is still missing at ${CHROMIUM} after apt-get install`);
}

function ensureCodeServer(cacheDir: string, log: (line: string) => void): string {
  const installDir = path.join(cacheDir, `code-server-${CODE_SERVER_VERSION}`);
  const vscodeDir = path.join(installDir, 'node_modules/code-server/lib/vscode');
  const marker = path.join(installDir, '.installed');
  if (fs.existsSync(marker) && fs.existsSync(path.join(vscodeDir, 'out/server-main.js'))) return vscodeDir;

  log(`installing code-server@${CODE_SERVER_VERSION} into ${installDir} (once; about a minute)`);
  const missing = ['rg', 'krb5-config'].filter((bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0);
  if (missing.length) aptInstall(['libkrb5-dev', 'ripgrep']); // kerberos builds against libkrb5; rg fills the ripgrep cache
  fs.rmSync(installDir, { recursive: true, force: true });
  fs.mkdirSync(installDir, { recursive: true });
  fs.writeFileSync(path.join(installDir, 'package.json'), JSON.stringify({ name: 'runtruth-vscode-test-tools', private: true }));
  const tmp = prefillRipgrepCache(installDir);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: installDir,
    stdio: 'inherit',
    // root needs unsafe-perm for code-server's postinstall; node-pty's postinstall runs npx (yes: no prompt).
    // TMPDIR points @vscode/ripgrep's postinstall at the cache we filled instead of GitHub.
    env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true', TMPDIR: tmp },
  });
  if (result.status !== 0) throw new Error(`npm install code-server@${CODE_SERVER_VERSION} failed (exit ${result.status}); see the output above`);
  if (!fs.existsSync(path.join(vscodeDir, 'out/server-main.js'))) throw new Error(`code-server installed but ${vscodeDir}/out/server-main.js is missing`);
  if (!fs.existsSync(path.join(vscodeDir, 'node_modules/@vscode/ripgrep/bin/rg'))) throw new Error('code-server installed without ripgrep (the cache prefill did not take)');
  fs.writeFileSync(marker, new Date().toISOString());
  return vscodeDir;
}

/** @vscode/ripgrep downloads its binary from GitHub unless `${tmpdir}/vscode-ripgrep-cache-<version>/<asset>` exists. */
function prefillRipgrepCache(installDir: string): string {
  const tmp = path.join(installDir, 'tmp');
  const cache = path.join(tmp, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  fs.mkdirSync(cache, { recursive: true });
  const rg = execFileSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).trim();
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-'));
  fs.copyFileSync(rg, path.join(stage, 'rg'));
  execFileSync('tar', ['czf', path.join(cache, RIPGREP_ASSET), '-C', stage, 'rg']);
  fs.rmSync(stage, { recursive: true, force: true });
  return tmp;
}

function aptInstall(packages: string[]): void {
  if (process.getuid?.() !== 0) throw new Error(`missing system packages: run  sudo apt-get install -y ${packages.join(' ')}  (or .ci/run, which does)`);
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...packages]]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${r.status})`);
  }
}
