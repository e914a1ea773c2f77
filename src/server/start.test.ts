import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { resolveConfig } from '../config/index.js';
import type { ServerConfig } from '../config/index.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { listenUrl, startServer } from './start.js';

const DAY = 86_400_000;
const silent = pino({ level: 'silent' });

async function tempConfig(t: { after(fn: () => Promise<void>): void }, flags: Record<string, string> = {}): Promise<ServerConfig> {
  const dir = await mkdtemp(join(tmpdir(), 'oversee-start-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return resolveConfig({ cwd: dir, flags: { port: '0', data: join(dir, 'data'), ...flags } });
}

test('first start prints the admin token then the listening line; a restart prints only the listening line', async (t) => {
  const config = await tempConfig(t);
  const lines: string[] = [];
  const first = await startServer(config, { logger: silent, print: (l) => lines.push(l) });
  await first.close();
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /^Admin API token \(shown once\): ovs_[A-Za-z0-9_-]+$/);
  assert.match(lines[1] ?? '', /^Oversee listening on http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(lines[1], `Oversee listening on ${first.url}`);
  assert.notEqual(new URL(first.url).port, '0');

  const again: string[] = [];
  const second = await startServer(config, { logger: silent, print: (l) => again.push(l) });
  const res = await fetch(new URL('/api/ping', second.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ server: { name: 'h', key: 'k' } }) });
  assert.equal(res.status, 200);
  await second.close();
  await second.close(); // idempotent
  assert.deepEqual(again, [`Oversee listening on ${second.url}`]);
});

test('a port in use fails start-up with EADDRINUSE', async (t) => {
  const config = await tempConfig(t);
  const running = await startServer(config, { logger: silent, print: () => undefined });
  t.after(() => running.close());
  const clash = { ...config, port: Number(new URL(running.url).port) };
  await assert.rejects(startServer(clash, { logger: silent, print: () => undefined }), { code: 'EADDRINUSE' });
});

test('state reports older than the retention are pruned at start; 0 days keeps everything', async (t) => {
  const cases = [{ days: '30', wantInfos: ['recent'] }, { days: '0', wantInfos: ['recent', 'ancient'] }];
  for (const { days, wantInfos } of cases) {
    const config = await tempConfig(t, { historyRetentionDays: days });
    const now = Date.now();
    const seed = await openSqliteStore({ path: config.store.path });
    const project = await seed.projects.getByName('default');
    assert.ok(project);
    const host = await seed.hosts.register(project.id, 'h', null, now);
    for (const [at, info] of [[now - 40 * DAY, 'ancient'], [now - DAY, 'recent']] as const) {
      await seed.ingest.reportStates({ hostId: host.id, at, address: null, source: 'overc', services: [{ name: 'c', state: 'OK', info, periodS: 60 }] });
    }
    await seed.close();

    const server = await startServer(config, { logger: silent, print: () => undefined });
    await server.close(); // waits for the prune that started with the server

    const after = await openSqliteStore({ path: config.store.path });
    const check = (await after.checks.list({ limit: 10 })).items[0];
    assert.ok(check);
    const infos = (await after.history.stateReports(check.id, { limit: 10 })).items.map((r) => r.info);
    await after.close();
    assert.deepEqual(infos, wantInfos, `retention ${days} days`);
  }
});

test('listenUrl brackets IPv6 hosts', () => {
  const cases: Array<[string, number, string]> = [['127.0.0.1', 5000, 'http://127.0.0.1:5000'], ['::', 80, 'http://[::]:80'], ['localhost', 1, 'http://localhost:1']];
  for (const [host, port, want] of cases) assert.equal(listenUrl(host, port), want);
});
