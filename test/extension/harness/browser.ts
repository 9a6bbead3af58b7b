import fs from 'node:fs';
import util from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Workbench chatter of an offline, throwaway VS Code (no marketplace, no service worker): not worth a line. */
const NOISE = /ENOTFOUND|Creating a socket|Resolving connection token|Resolved connection token|\[Service Worker\]|ChatSessionStore|Updating additional builtin extensions/;

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Content-Security-Policy violations reported by any frame (the workbench's and our webview's). */
  cspViolations: string[];
  close(): Promise<void>;
}

/**
 * Headless Debian Chromium via playwright-core, with a fresh profile. Extension-host console output reaches the
 * page as `['%c INFO', 'color: …', format, ...args]`; it is printed with `print` (that is where mocha's report is).
 */
export async function launchBrowser(opts: { executablePath: string; profileDir: string; print: (line: string) => void; verbose?: boolean }): Promise<Browser> {
  fs.rmSync(opts.profileDir, { recursive: true, force: true });
  const context = await chromium.launchPersistentContext(opts.profileDir, {
    executablePath: opts.executablePath,
    headless: true,
    viewport: { width: 1600, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const cspViolations: string[] = [];
  page.on('console', async (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(`${message.location().url}: ${message.text()}`);
    const args = await Promise.all(message.args().map((a) => a.jsonValue().catch(() => '?')));
    if (typeof args[0] === 'string' && /^%c\s*(INFO|ERR|WARN|DEBUG)/.test(args[0]) && args.length > 2) {
      const line = util.format(...args.slice(2));
      if (opts.verbose || !NOISE.test(line)) opts.print(line);
    }
    else if (opts.verbose || /Content Security Policy|Refused to/i.test(message.text())) opts.print(`[browser ${message.type()}] ${message.text()}`);
  });
  return { context, page, cspViolations, close: () => context.close() };
}
