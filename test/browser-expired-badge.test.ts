// The overview's state badge of an expired check ("ERR · expired") fits its column in a real browser
// (chromium via playwright-core): the text is not cut off and does not run into the check name; the
// check page says "1 report", not "1 reports".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkipReason, postJson, screenshotPath } from './support/browser.js';
import { logIn, openBrowserSession, type BrowserSession } from './support/browser-session.js';

const skip = browserSkipReason();

describe('expired badge on the overview', { skip: skip ?? false }, () => {
  let session: BrowserSession | undefined;
  before(async () => { session = await openBrowserSession(); });
  after(async () => { await session?.close(); });

  test('the check page counts one report as "1 report"', async () => {
    const { server, browser } = session!;
    const services = [{ name: 'single', state: 'OK' }];
    assert.equal((await postJson(server.url, '/api/set/service/status', { server: { name: 'web2', key: 'k2' }, period: 60, services })).status, 200);
    const { id } = server.store.db.prepare("SELECT id FROM checks WHERE name = 'single'").get() as { id: number };
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await logIn(page, server.url, 'ann');
      await page.goto(`${server.url}/check/${id}`);
      await page.waitForSelector('text=/\\d+ reports? ·/');
      assert.match(await page.textContent('main') ?? '', /\D1 report ·/);
    } finally {
      await page.close();
    }
  });

  for (const width of [1280, 390]) {
    test(`"ERR · expired" fits its badge and stays left of the check name (${width} px wide)`, async () => {
      const { server, browser } = session!;
      const services = [{ name: 'stale', state: 'OK' }, { name: 'fresh', state: 'OK' }];
      assert.equal((await postJson(server.url, '/api/set/service/status', { server: { name: 'web1', key: 'k1' }, period: 60, services })).status, 200);
      // What the alert engine's expiry writes (the engine does not run in this server).
      server.store.db.prepare("UPDATE checks SET expired = 1, state = 'ERR', info = 'No report for 75 s' WHERE name = 'stale'").run();
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      try {
        await logIn(page, server.url, 'ann');
        await page.waitForSelector('.check-row[data-check=stale] .expired-mark');
        const badge = page.locator('.check-row[data-check=stale] .badge');
        const [badgeBox, nameBox, freshBox] = await Promise.all([
          badge.boundingBox(), page.locator('.check-row[data-check=stale] .check-name').boundingBox(),
          page.locator('.check-row[data-check=fresh] .check-name').boundingBox(),
        ]);
        assert.ok(badgeBox && nameBox && freshBox, 'badge and names are laid out');
        const widths = await page.evaluate(
          "(() => { const b = document.querySelector('.check-row[data-check=stale] .badge'); return [b.scrollWidth, b.clientWidth]; })()",
        ) as [number, number];
        const box = {
          text: await badge.textContent(), scroll: widths[0], client: widths[1],
          badgeRight: badgeBox.x + badgeBox.width, nameLeft: nameBox.x, freshNameLeft: freshBox.x,
        };
        await page.screenshot({ path: screenshotPath(`browser-expired-badge-${width}`) });
        assert.match(box.text ?? '', /ERR\s*· expired/);
        assert.ok(box.scroll <= box.client, `badge text overflows: ${box.scroll} > ${box.client} px`);
        assert.ok(box.badgeRight <= box.nameLeft, `badge (right ${box.badgeRight}) runs into the name (left ${box.nameLeft})`);
        assert.equal(box.nameLeft, box.freshNameLeft, 'names of expired and live checks line up');
      } finally {
        await page.close();
      }
    });
  }
});
