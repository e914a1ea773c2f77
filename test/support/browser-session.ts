// Browser-test sessions: one live server and one chromium shared by a describe block, with the
// admin `ann` and the viewer `vic` (password "correct horse"), and logging in through the form.
import type { Browser, Page } from 'playwright-core';
import { addUser } from '../../src/users/test-support/session.js';
import { launchBrowser, startLiveServer, type LiveServer } from './browser.js';

/** The password every browser-test user is given (src/users/test-support/session.ts). */
export const TEST_PASSWORD = 'correct horse';

/** A live server and a browser, with users `ann` (admin) and `vic` (viewer) added. */
export interface BrowserSession {
  server: LiveServer;
  browser: Browser;
  /** Closes the browser, then the server (safe after a half-failed start). */
  close(): Promise<void>;
}

/** Starts a live server (with the alert engine when `engine`), launches chromium and adds `ann` and `vic`. */
export async function openBrowserSession(opts: { engine?: boolean } = {}): Promise<BrowserSession> {
  const server = await startLiveServer(opts);
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await server.close();
    throw err;
  }
  const session: BrowserSession = {
    server, browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
  try {
    await addUser(server.store, 'ann', 'admin');
    await addUser(server.store, 'vic', 'viewer');
  } catch (err) {
    await session.close();
    throw err;
  }
  return session;
}

/** Logs `name` in through the form at `base` and waits for the overview. */
export async function logIn(page: Page, base: string, name: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', TEST_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('.counts');
}
