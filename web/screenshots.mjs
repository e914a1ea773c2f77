#!/usr/bin/env node
// Regenerates the README/docs screenshots (docs/img/overview.png, docs/img/chart.png,
// docs/img/settings-users.png, ...) from
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
const { Tsdb } = await import('../dist/tsdb/index.js');
const { openSqliteTsdbStorage } = await import('../dist/store/sqlite/tsdb-storage.js');

const dir = mkdtempSync(join(tmpdir(), 'oversee-shots-'));
const store = await openSqliteStore({ path: join(dir, 'oversee.db') });
const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ path: join(dir, 'tsdb.sqlite') }), clock: { now: () => Date.now() } });
const app = await buildApp({ store, tsdb, metrics: createSelfMetrics(), clock: { now: () => Date.now() }, logger: false, bodyLimit: 1 << 24, webRoot: join(ROOT, 'dist', 'web') + '/' });
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
// Six hours of CPU load on three web hosts, one sample a minute.
const pid = (await store.projects.getByName('default')).id;
const end = Date.now();
for (const [h, host] of ['web1', 'web2', 'web3'].entries()) {
  for (let i = 360; i >= 0; i--) {
    const t = end - i * 60_000;
    const v = 20 + 15 * Math.sin(i / 45 + h) + 8 * Math.sin(i / 7 + h * 2) + (h === 2 && i < 60 ? 35 : 0) + Math.random() * 4;
    tsdb.append(pid, 'sys.cpu.user', { host }, t, Math.max(0, Math.round(v * 10) / 10));
  }
}
await tsdb.commit();
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
      await page.goto(`${base}/explore?m=sys.cpu.user&range=6h`);
      await page.waitForSelector('.chart-canvas .u-over');
      await page.click('.tree button:has-text("sys")');
      await page.click('.tree button:has-text("cpu")');
      await page.waitForTimeout(300);
      await page.hover('.chart-canvas .u-over', { position: { x: 700, y: 120 } });
      await page.screenshot({ path: join(OUT, 'chart.png') });
      // Settings → Users: a second project and users with roles per project.
      const api = (method, path, data) => page.request.fetch(base + path, { method, headers: { 'x-oversee-csrf': '1' }, data });
      for (const r of [
        await api('POST', '/api/v1/projects', { name: 'payments', description: 'card processing' }),
        await api('POST', '/api/v1/users', { name: 'alice', password: 'screenshot pass', grants: [{ project: null, role: 'editor' }] }),
        await api('POST', '/api/v1/users', { name: 'bob', password: 'screenshot pass', grants: [{ project: 'default', role: 'viewer' }, { project: 'payments', role: 'admin' }] }),
      ]) if (!r.ok()) throw new Error(`setup for the settings screenshot: ${r.status()} ${await r.text()}`);
      await page.goto(`${base}/settings/users`);
      await page.waitForSelector('.users table.list');
      await page.screenshot({ path: join(OUT, 'settings-users.png') });
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
  await tsdb.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
