import type { Locator, Page } from 'playwright-core';

// The functions passed to page.evaluate/waitForFunction run in the browser; these are the page globals they use
// (declared here, module-scoped, because the test project compiles without the DOM library).
declare const document: { querySelectorAll(selector: string): Iterable<object>; querySelector(selector: string): { textContent: string | null } | null };
declare function getComputedStyle(element: object, pseudo: string): { content: string };

/** The line-number element for a 1-based line in the active editor's margin. */
export function lineNumber(page: Page, line: number): Locator {
  return page.locator('.editor-instance .monaco-editor .margin-view-overlays .line-numbers', { hasText: new RegExp(`^\\s*${line}\\s*$`) });
}

/**
 * Texts drawn after lines by decorations: VS Code renders a decoration's `after.contentText` as the CSS `content`
 * of a ::after pseudo-element, so it is read from computed styles, not from the DOM's text.
 */
export function inlineTexts(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.editor-instance .view-lines span')]
      .map((el) => getComputedStyle(el, '::after').content)
      .filter((c) => c && c !== 'none' && c !== 'normal'),
  );
}

/** Resolves when some inline text contains `text`; polls every 20 ms so latency measurements stay honest. */
export async function waitForInlineText(page: Page, text: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    (wanted) => [...document.querySelectorAll('.editor-instance .view-lines span')].some((el) => getComputedStyle(el, '::after').content.includes(wanted)),
    text,
    { timeout, polling: 20 },
  );
}

/** Resolves when the workbench shows `text` anywhere (notifications, status bar, views). */
export async function waitForWorkbenchText(page: Page, text: string, timeout = 20_000): Promise<void> {
  await page.waitForFunction((wanted) => !!document.querySelector('.monaco-workbench')?.textContent?.includes(wanted), text, { timeout });
}
