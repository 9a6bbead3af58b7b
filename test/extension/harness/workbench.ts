import type { FrameLocator, Page } from 'playwright-core';

/** Workbench moves a person makes, in DOM terms (VS Code 1.100's web workbench). */

export async function waitForWorkbench(page: Page): Promise<void> {
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 }); // remote FS is connected
}

/** F1, type the command's title, Enter. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator(`.quick-input-list .monaco-list-row.focused:has-text("${title}")`).waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Ctrl+P, the file name, Enter; resolves when its editor shows text. */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  const name = relativePath.split('/').pop()!;
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(relativePath);
  await page.locator(`.quick-input-list .monaco-list-row.focused:has-text("${name}")`).waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await page.locator(`.tab.active:has-text("${name}")`).waitFor({ timeout: 30_000 });
  await page.locator('.editor-instance .monaco-editor .view-line').first().waitFor({ timeout: 30_000 });
}

/** The quick input's text box, once visible, with its current title. */
export async function quickInput(page: Page, titleContains: string): Promise<void> {
  await page.locator(`.quick-input-widget .quick-input-title:has-text("${titleContains}")`).waitFor({ timeout: 15_000 });
}

/** The side panel's document (the webview's inner frame). */
export function panelFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** Drags the sash between the side bar and the editor `by` pixels to the right (room for the panel's columns). */
export async function widenSideBar(page: Page, by: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const x = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + by, y, { steps: 5 });
  await page.mouse.up();
  await page.mouse.move(0, y); // off the sash, so it is not drawn highlighted in screenshots
}
