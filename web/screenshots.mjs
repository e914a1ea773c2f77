#!/usr/bin/env node
// Regenerates the README/docs screenshots (docs/img/overview.png, docs/img/chart.png, ...) from
// the built server and app: `npm run build && node web/screenshots.mjs`. Needs /usr/bin/chromium.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'docs', 'img');
const { buildApp } = await import('../dist/server/app.js');
const { createSelfMetrics } = await import('../dist/server/self-metrics.js');
const { openSqliteStore } = await import('../dist/store/sqlite/index.js');
const { openSqliteUserStore } = await import('../dist/users/sqlite-store.js');
const { createUserChecked } = await import('../dist/users/routes.js');

const dir = mkdtempSync(join(tmpdir(), 'oversee-shots-'));
const store = await openSqliteStore({ path: join(dir, 'oversee.db') });
const app = await buildApp({ store, metrics: createSelfMetrics(), clock: { now: () => Date.now() }, logger: false, bodyLimit: 1 << 24, webRoot: join(ROOT, 'dist', 'web') + '/' });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${app.server.address().port}`;
const post = (path, body) => fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const hosts = ['web1', 'web2', 'web3', 'db1', 'db2', 'mail', 'backup', 'lb1', 'cache1', 'ci-runner'];
const checks = [['disk:/', 'OK', '38% used (62 GB free)'], ['load', 'OK', 'load average: 0.42, 0.51, 0.48'], ['http', 'OK', 'HTTP/1.1 200 OK - 0.031 s'],
  ['ssl-cert', 'OK', 'certificate valid for 61 days'], ['ntp', 'OK', 'offset 0.002 s'], ['apt-updates', 'WARN', '12 updates (3 security)']];
for (const [i, h] of hosts.entries()) {
  const services = checks.map(([name, state, info]) => ({ name, state, info }));
  if (h === 'db2') services.push({ name: 'mysql-replication', state: 'ERR', info: 'Seconds_Behind_Master: 1830 (limit 300)' });
  if (h === 'backup') services.push({ name: 'backup-age', state: 'WARN', info: 'last backup 26 h ago' });
  if (h === 'mail') services.push({ name: 'mailq', state: 'UNK', info: 'postqueue: command timed out' });
  if (i === 2) services[0] = { name: 'disk:/', state: 'ERR', info: '97% used (1.2 GB free)' };
  await post('/api/set/service/status', { server: { name: h, key: `key-${h}` }, period: 300, services });
}
await createUserChecked(openSqliteUserStore(store.db), store, { name: 'admin', password: 'screenshot', role: 'admin', projectId: null }, Date.now());
/** Logs in through the form and waits for the live overview. */
async function logIn(page) {
  await page.goto(`${base}/`);
  await page.fill('input[name=name]', 'admin');
  await page.fill('input[name=password]', 'screenshot');
  await page.click('button[type=submit]');
  await page.waitForSelector('.live-open');
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  mkdirSync(OUT, { recursive: true });
  for (const theme of ['light', 'dark']) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: theme });
    await logIn(page);
    await page.screenshot({ path: join(OUT, theme === 'light' ? 'overview.png' : 'overview-dark.png') });
    if (theme === 'light') {
      await page.goto(`${base}/explore?demo=1000x4`);
      await page.waitForSelector('#demo-chart[data-draw-ms]');
      await page.hover('.chart-canvas .u-over', { position: { x: 600, y: 120 } });
      await page.screenshot({ path: join(OUT, 'chart.png') });
    }
    await page.close();
  }
  const phone = await browser.newPage({ viewport: { width: 390, height: 760 }, isMobile: true, colorScheme: 'dark' });
  await logIn(phone);
  await phone.screenshot({ path: join(OUT, 'phone.png') });
  console.log(`screenshots in ${OUT}`);
} finally {
  await browser.close();
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
