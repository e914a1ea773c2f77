/* global document */
// UI benchmark section (bench/run.mjs): in headless chromium against an in-process server (dist/):
// overview with 10,000 checks on 1,000 hosts ready (navigation start → first frame with rows),
// a uPlot chart of 1,000 points × 10 series drawn, a live ERR visible after a push, and the
// JavaScript the browser downloads, gzipped. Targets: < 1 s, < 100 ms, < 200 KB.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const name = 'ui';
export const description = 'dashboard in chromium: overview of 10,000 checks, chart of 1,000 × 10 points, JS size';

const ROOT = new URL('..', import.meta.url).pathname;
const WEB = join(ROOT, 'dist', 'web') + '/';
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

/** Gzipped size of every JavaScript asset (what the server sends with Content-Encoding: gzip). */
export function shippedJsGzipBytes(webRoot = WEB) {
  const dir = join(webRoot, 'assets');
  return readdirSync(dir).filter((f) => f.endsWith('.js.gz')).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

/**
 * Stores `hosts` hosts with `perHost` checks each straight through the store (the section measures
 * the UI; OverC ingest has its own section, and its first-use key hashing would dominate here).
 */
async function populate(store, projectId, hosts, perHost) {
  const states = ['OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'WARN', 'OK', 'UNK', 'ERR'];
  const now = Date.now();
  await Promise.all(Array.from({ length: hosts }, async (_, h) => {
    const host = await store.hosts.register(projectId, `host-${String(h).padStart(4, '0')}`, null, now);
    await store.ingest.reportStates({
      hostId: host.id, at: now, address: '127.0.0.1', source: 'overc',
      services: Array.from({ length: perHost }, (_, i) => ({ name: `check-${i}`, state: states[(h * 7 + i) % states.length], info: `value ${(h * i) % 97} on host ${h}`, periodS: 3600 })),
    });
  }));
}

/** Runs the section: `runs` page loads of each measurement; returns the summary. */
export async function run({ runs, log }) {
  if (!existsSync(CHROMIUM)) return { title: 'ui: skipped', lines: [`${CHROMIUM} is missing (apt-get install chromium)`] };
  if (!existsSync(join(WEB, 'index.html'))) return { title: 'ui: skipped', lines: ['dist/web is missing (npm run build)'] };
  const { chromium } = await import('playwright-core');
  const { buildApp } = await import('../dist/server/app.js');
  const { createSelfMetrics } = await import('../dist/server/self-metrics.js');
  const { openSqliteStore } = await import('../dist/store/sqlite/index.js');
  const { openSqliteUserStore } = await import('../dist/users/sqlite-store.js');
  const { createUserChecked } = await import('../dist/users/routes.js');

  const dir = mkdtempSync(join(tmpdir(), 'oversee-bench-ui-'));
  const store = await openSqliteStore({ path: join(dir, 'oversee.db') });
  const app = await buildApp({ store, metrics: createSelfMetrics(), clock: { now: () => Date.now() }, logger: false, bodyLimit: 1 << 24, webRoot: WEB });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${app.server.address().port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const t = Date.now();
    // host-0000 gets its key over OverC (it receives live pushes below); the rest go through the store.
    await fetch(`${base}/api/ping`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ server: { name: 'host-0000', key: 'k' } }) });
    await populate(store, (await store.projects.getByName('default')).id, 1000, 10);
    log(`populated 1,000 hosts × 10 checks in ${Date.now() - t} ms`);
    await createUserChecked(openSqliteUserStore(store.db), store, { name: 'bench', password: 'bench password', role: 'admin', projectId: null }, Date.now());
    const login = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-oversee-csrf': '1' }, body: JSON.stringify({ name: 'bench', password: 'bench password' }) });
    const cookie = /oversee_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
    if (!cookie) throw new Error(`login failed: ${login.status}`);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: 'oversee_session', value: cookie, url: base }]);

    const overview = [];
    const chart = [];
    const liveMs = [];
    for (let i = 0; i < runs; i++) {
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await page.waitForFunction(() => performance.getEntriesByName('oversee:overview-ready').length > 0, null, { timeout: 30_000 });
      const ms = await page.evaluate(() => performance.getEntriesByName('oversee:overview-ready')[0].startTime);
      const total = await page.evaluate(() => document.querySelector('.total')?.textContent ?? '');
      overview.push(ms);
      log(`run ${i + 1}: overview ready in ${ms.toFixed(0)} ms (${total})`);

      await page.waitForSelector('.live-open');
      const pushed = Date.now();
      await fetch(`${base}/api/set/service/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ server: { name: 'host-0000', key: 'k' }, period: 3600, services: [{ name: 'check-0', state: i % 2 === 0 ? 'ERR' : 'WARN', info: 'bench flip' }] }) });
      await page.waitForFunction((s) => document.querySelector('.check-row[data-check="check-0"] .badge')?.textContent?.startsWith(s), i % 2 === 0 ? 'ERR' : 'WARN', { timeout: 5000 });
      liveMs.push(Date.now() - pushed);

      await page.goto(`${base}/explore?demo=1000x10`);
      await page.waitForSelector('#demo-chart[data-draw-ms]');
      const drawn = Number(await page.getAttribute('#demo-chart', 'data-draw-ms'));
      chart.push(drawn);
      log(`run ${i + 1}: chart 1,000 × 10 drawn in ${drawn.toFixed(1)} ms; live update visible ${liveMs[i]} ms after the push`);
      await page.close();
    }
    const js = shippedJsGzipBytes();
    return {
      title: 'ui (chromium, 10,000 checks on 1,000 hosts)',
      lines: [
        `overview ready: ${median(overview).toFixed(0)} ms (target < 1000 ms)`,
        `chart 1,000 points × 10 series drawn: ${median(chart).toFixed(1)} ms (target < 100 ms)`,
        `live state change visible after the push: ${median(liveMs)} ms (target < 1000 ms)`,
        `JavaScript shipped: ${(js / 1024).toFixed(1)} KB gzipped (target < 200 KB)`,
      ],
    };
  } finally {
    await browser.close();
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
