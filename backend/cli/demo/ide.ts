import fs from 'node:fs';
import path from 'node:path';
import type { TradingStage } from './tradingStage';

const ROOT = path.resolve(__dirname, '../../../..');
/** Where the extension tests install the VS Code server (test/extension/harness/setup.ts): reused, never duplicated. */
const HARNESS = path.join(ROOT, 'dist/test/extension/harness');

interface Harness {
  CODE_SERVER_VERSION: string;
  startVsCodeServer: typeof import('../../../test/extension/harness/vscodeServer').startVsCodeServer;
  packageVsix: typeof import('../../../test/extension/harness/vsix').packageVsix;
}

/** Why the IDE cannot open here, and what to do about it (the demo carries on without it). */
export class IdeUnavailable extends Error {
  override name = 'IdeUnavailable';
}

/**
 * `runtruth demo --ide`: the real VS Code in the browser on the still-running incident — the VS Code server
 * from the extension tests' cache (code-server's bundled VS Code, installed once by `npm run test:extension`),
 * the extension installed from a freshly packaged VSIX, the demo repository as the workspace and the demo relay
 * in its settings. Stopped with the demo (its process group). Returns the URL to open.
 */
export async function openDemoIde(stage: TradingStage, workDir: string, print: (line: string) => void): Promise<string> {
  const harness = loadHarness();
  const vscodeDir = path.join(ROOT, '.vscode-test', `code-server-${harness.CODE_SERVER_VERSION}`, 'node_modules/code-server/lib/vscode');
  if (!fs.existsSync(path.join(vscodeDir, 'out/server-main.js'))) {
    throw new IdeUnavailable(
      `the VS Code server (code-server ${harness.CODE_SERVER_VERSION}) is not installed in ${path.join(ROOT, '.vscode-test')}. ` +
        'Run `npm run test:extension` once (it installs it there with npm; about a minute), or open your own VS Code with the extension (npm run package:vsix).',
    );
  }
  print('» packaging the extension (VSIX) for the browser IDE…');
  const vsix = harness.packageVsix(path.join(workDir, 'vsix'), () => undefined);
  const server = await harness.startVsCodeServer({
    vscodeDir,
    runDir: path.join(workDir, 'vscode'),
    install: [vsix],
    settings: { 'runtruth.relay': stage.relayUrl, 'runtruth.inline.maxLength': 160, 'workbench.colorTheme': 'Default Dark Modern' },
    log: () => undefined,
  });
  stage.onStop(() => server.stop());
  return `${server.url}/?folder=${encodeURIComponent(stage.repo)}`;
}

function loadHarness(): Harness {
  try {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const setup = require(path.join(HARNESS, 'setup.js')) as { CODE_SERVER_VERSION: string };
    const server = require(path.join(HARNESS, 'vscodeServer.js')) as Pick<Harness, 'startVsCodeServer'>;
    const vsix = require(path.join(HARNESS, 'vsix.js')) as Pick<Harness, 'packageVsix'>;
    /* eslint-enable @typescript-eslint/no-require-imports */
    return { CODE_SERVER_VERSION: setup.CODE_SERVER_VERSION, startVsCodeServer: server.startVsCodeServer, packageVsix: vsix.packageVsix };
  } catch {
    throw new IdeUnavailable(`--ide needs a development checkout built with \`npm run build\` (it reuses the extension tests' VS Code harness in ${HARNESS}).`);
  }
}
