import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { CLI, startNode, type Child } from '../../support/proc';
import { launchBrowser, type Browser } from '../harness/browser';
import { waitForWorkbench } from '../harness/workbench';
import { e2eEnv } from './env';

const status = (url: string) => new Promise<number>((resolve) => http.get(url, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', () => resolve(0)));

/**
 * `runtruth demo --ide`: after the headless investigation, the real VS Code opens in the browser on the running
 * demo with the extension installed and the relay configured; Ctrl-C stops it with everything else.
 */
describe('runtruth demo --ide', function () {
  this.timeout(300_000);
  let demo: Child;
  let browser: Browser | undefined;

  after(async () => {
    await browser?.close().catch(() => undefined);
    await demo?.kill('SIGKILL');
  });

  it('prints the URL of a browser VS Code with the extension installed, connected to nothing until signed in; Ctrl-C stops it', async () => {
    const env = e2eEnv();
    demo = startNode([CLI, 'demo', '--ide', '--port', '0'], 'demo');
    const url = (await demo.waitForLine(/^\s+(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)/, 240_000))[1]!;
    const folder = decodeURIComponent(new URL(url).searchParams.get('folder')!);
    assert.match(folder, /runtruth-demo-.*\/trading$/, 'the workspace is the demo repository');
    assert.equal(await status(new URL('/version', url).toString()), 200);
    assert.ok(demo.lines.some((l) => /Run "Runtruth: Sign In" there with the token from .*admin\.token/.test(l)), 'says how to sign in (never prints the token)');

    browser = await launchBrowser({ executablePath: env.chromium, profileDir: path.join(env.runDir, 'chromium-demo-ide'), print: () => undefined });
    await browser.page.goto(url);
    await waitForWorkbench(browser.page);
    await browser.page.locator('.statusbar-item:has-text("Runtruth: sign in")').waitFor({ timeout: 60_000 }); // the installed extension activated
    await browser.close();
    browser = undefined;

    demo.proc.kill('SIGINT'); // Ctrl-C (the demo gets time to stop what it started: no forced kill here)
    assert.equal((await demo.exited).code, 0, demo.lines.slice(-20).join('\n'));
    assert.equal(await status(new URL('/version', url).toString()), 0, 'the VS Code server stopped with the demo');
  });
});
