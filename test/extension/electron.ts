import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { ROOT } from '../support/proc';
import { SUITE_ENV } from './harness/integration';
import { copyCheckout } from './support/runtimeFixture';

/**
 * The same integration suite on desktop VS Code, for machines that can download it:
 * `npm run build && node dist/test/extension/electron.js`. (CI on machines without internet uses run.js, which
 * runs the suite in the VS Code server's extension host instead.)
 */
async function main(): Promise<void> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtruth-ext-'));
  const workspace = copyCheckout(path.join(runDir, 'workspace', 'checkout'));
  const userDataDir = path.join(runDir, 'user-data');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false }));
  await runTests({
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: path.join(ROOT, 'dist/test/extension/suite/index.js'),
    launchArgs: [workspace, '--user-data-dir', userDataDir, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { [SUITE_ENV.runDir]: runDir, [SUITE_ENV.workspace]: workspace, [SUITE_ENV.userDataDir]: userDataDir },
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
