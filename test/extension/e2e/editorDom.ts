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

/**
 * Hovers the first token of the line containing `lineText` until `hover` (a locator inside `.monaco-hover`) shows.
 * The pointer goes to the line's *text*: the middle of a `.view-line` is past the end of short lines, where Monaco
 * shows no hover unless an inline decoration happens to be drawn there. A hover can also be dropped when the pointer
 * arrives while the editor re-renders decorations, so it moves away and back until the timeout.
 */
export async function hoverLine(page: Page, lineText: string, hover: Locator, timeout = 10_000): Promise<void> {
  const token = page.locator(`.view-lines .view-line:has-text("${lineText}") span span`).filter({ hasText: /\S/ }).first();
  const end = Date.now() + timeout;
  for (;;) {
    await page.mouse.move(0, 0);
    await token.hover();
    try {
      await hover.waitFor({ timeout: Math.min(3_000, Math.max(1, end - Date.now())) });
      return;
    } catch (err) {
      if (Date.now() >= end) throw err;
    }
  }
}
