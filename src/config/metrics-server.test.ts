// [metrics] tiers reaches the server's tsdb: a query's answer names the tier and its resolution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startServer } from '../server/start.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from '../store/postgres/test-support.js';
import { resolveConfig } from './load.js';

const silent = pino({ level: 'silent' });

async function resolutionFor(t: { after(fn: () => Promise<void>): void }, env: Record<string, string>, store?: string): Promise<{ tier: number; resolutionMs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'oversee-tiers-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = resolveConfig({
    cwd: dir, env, flags: { port: '0', statsdPort: '0', graphitePort: '0', data: join(dir, 'data'), ...(store !== undefined ? { store } : {}) },
  });
  const lines: string[] = [];
  const server = await startServer(config, { logger: silent, print: (l) => lines.push(l) });
  try {
    const token = /ovs_[A-Za-z0-9_-]+/.exec(lines.join('\n'))?.[0];
    assert.ok(token, 'admin token printed');
    const now = Date.now();
    const res = await fetch(new URL(`/api/v1/query?name=x&from=${now - 3_600_000}&to=${now}&step=300s&agg=avg`, server.url), { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, await res.clone().text());
    const body = await res.json() as { tier: number; resolutionMs: number };
    return { tier: body.tier, resolutionMs: body.resolutionMs };
  } finally {
    await server.close();
  }
}

test('SQLite server: the default tiers, then OVERSEE_METRICS_TIERS', async (t) => {
  assert.deepEqual(await resolutionFor(t, {}), { tier: 1, resolutionMs: 60_000 });
  assert.deepEqual(await resolutionFor(t, { OVERSEE_METRICS_TIERS: 'raw:3d,5m:30d,1h:1y' }), { tier: 1, resolutionMs: 300_000 });
  assert.deepEqual(await resolutionFor(t, { OVERSEE_METRICS_TIERS: 'raw:3d,10m:30d' }), { tier: 0, resolutionMs: 0 });
});

test('PostgreSQL server: OVERSEE_METRICS_TIERS is used too', async (t) => {
  const url = pgTestUrl();
  const skip = await pgSkipReason(url);
  if (skip !== null) {
    if (process.env.CI === 'true') throw new Error(skip);
    t.skip(skip);
    return;
  }
  const schema = freshSchemaName();
  t.after(() => dropSchema(url, schema));
  const store = `${url}${url.includes('?') ? '&' : '?'}schema=${schema}`;
  assert.deepEqual(await resolutionFor(t, { OVERSEE_METRICS_TIERS: 'raw:3d,5m:30d' }, store), { tier: 1, resolutionMs: 300_000 });
});
