import fs from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import { ROOT } from '../support/proc';
import { runIntegrationSuite } from './harness/integration';
import { ensureTools } from './harness/setup';
import { packageVsix } from './harness/vsix';
import { E2E_ENV } from './e2e/env';

/**
 * `npm run test:extension`: the extension tests in a real VS Code, here and in CI.
 *  1. installs (once, into .vscode-test/) the VS Code server from code-server@4.100.3 and checks Chromium;
 *  2. runs the mocha suite in dist/test/extension/suite inside the real extension host (integration);
 *  3. packages the VSIX and runs the browser end-to-end tests in dist/test/extension/e2e (screenshots go to
 *     test-results/).
 * `node dist/test/extension/run.js integration|e2e` runs one part. Exits non-zero when anything fails.
 * (On a machine that can download VS Code, test/extension/electron.ts runs the same suite with @vscode/test-electron.)
 */
async function main(): Promise<number> {
  const part = process.argv[2] ?? 'all';
  if (!['all', 'integration', 'e2e'].includes(part)) throw new Error(`usage: run.js [all|integration|e2e], not '${part}'`);
  const started = Date.now();
  const cache = path.join(ROOT, '.vscode-test');
  const tools = ensureTools(cache, log);
  const runs = path.join(cache, 'runs');
  fs.mkdirSync(runs, { recursive: true });
  let failed = false;

  if (part !== 'e2e') {
    const runDir = fs.mkdtempSync(path.join(runs, 'integration-'));
    const t0 = Date.now();
    const code = await runIntegrationSuite(tools, runDir, log);
    log(`integration suite in the extension host: ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds(t0)} s`);
    failed ||= code !== 0;
    cleanup(runDir, code !== 0);
  }

  if (part !== 'integration') {
    const runDir = fs.mkdtempSync(path.join(runs, 'e2e-'));
    process.env[E2E_ENV.vscodeDir] = tools.vscodeDir;
    process.env[E2E_ENV.chromium] = tools.chromium;
    process.env[E2E_ENV.vsix] = packageVsix(runDir, log);
    process.env[E2E_ENV.runDir] = runDir;
    const t0 = Date.now();
    const failures = await runMocha(path.join(__dirname, 'e2e'), '.e2e.js');
    log(`browser end-to-end: ${failures === 0 ? 'passed' : `FAILED (${failures})`} in ${seconds(t0)} s; screenshots in test-results/`);
    failed ||= failures !== 0;
    cleanup(runDir, failures !== 0);
  }
  log(`extension tests ${failed ? 'FAILED' : 'passed'} in ${seconds(started)} s`);
  return failed ? 1 : 0;
}

function runMocha(dir: string, suffix: string): Promise<number> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, reporter: 'spec' });
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(suffix)).sort()) mocha.addFile(path.join(dir, file));
  return new Promise((resolve) => mocha.run(resolve));
}

function cleanup(runDir: string, failed: boolean): void {
  if (failed || process.env.RUNTRUTH_KEEP_TMP) return log(`kept ${runDir} for inspection`);
  fs.rmSync(runDir, { recursive: true, force: true });
}

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);
function log(line: string): void {
  console.log(`[extension tests] ${line}`);
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[extension tests] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
