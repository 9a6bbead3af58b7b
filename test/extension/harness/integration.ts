import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../support/proc';
import { copyCheckout } from '../support/runtimeFixture';
import { launchBrowser } from './browser';
import type { TestTools } from './setup';
import { startVsCodeServer } from './vscodeServer';

/** Environment the integration suite reads inside the extension host (the server passes its env on). */
export const SUITE_ENV = { runDir: 'RUNTRUTH_TEST_RUN_DIR', workspace: 'RUNTRUTH_TEST_WORKSPACE', userDataDir: 'RUNTRUTH_TEST_USER_DATA_DIR' } as const;

/**
 * Runs the mocha suite in dist/test/extension/suite inside the real VS Code extension host: the extension under
 * development is this repository (extensionDevelopmentPath), the suite is extensionTestsPath, and the workbench
 * runs in headless Chromium. Resolves with mocha's exit code (the workbench reports it via codeAutomationExit).
 */
export async function runIntegrationSuite(tools: TestTools, runDir: string, log: (line: string) => void, timeoutMs = 300_000): Promise<number> {
  const workspace = copyCheckout(path.join(runDir, 'workspace', 'checkout'));
  const userDataDir = path.join(runDir, 'vscode', 'user-data');
  const server = await startVsCodeServer({
    vscodeDir: tools.vscodeDir,
    runDir: path.join(runDir, 'vscode'),
    env: { [SUITE_ENV.runDir]: runDir, [SUITE_ENV.workspace]: workspace, [SUITE_ENV.userDataDir]: userDataDir },
    log,
  });
  const browser = await launchBrowser({ executablePath: tools.chromium, profileDir: path.join(runDir, 'chromium'), print: (l) => console.log(l), verbose: !!process.env.RUNTRUTH_TEST_VERBOSE });
  try {
    let reportExit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (reportExit = resolve));
    // The workbench calls this with the test runner's exit code when extensionTestsPath finishes.
    await browser.page.exposeFunction('codeAutomationExit', (code: number) => reportExit(code));
    const payload = [
      ['extensionDevelopmentPath', server.remoteUri(ROOT)],
      ['extensionTestsPath', server.remoteUri(path.join(ROOT, 'dist/test/extension/suite/index.js'))],
    ];
    await browser.page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(-1), timeoutMs)));
    const code = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (code === -1) {
      const shot = path.join(ROOT, 'test-results', 'integration-timeout.png');
      fs.mkdirSync(path.dirname(shot), { recursive: true });
      await browser.page.screenshot({ path: shot }).catch(() => undefined);
      log(`the integration suite did not finish within ${timeoutMs / 1000} s (screenshot: ${shot})`);
      return 1;
    }
    return code;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}
