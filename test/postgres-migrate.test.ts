// `oversee migrate` between real processes: an embedded installation made by `oversee serve` on
// SQLite is copied into a fresh PostgreSQL schema (counts printed and verified), a server on that
// schema then answers with the same checks, samples and admin token, and a second copy is refused.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from '../src/store/postgres/test-support.js';
import { requestJson, type JsonAnswer } from './support/http-json.js';
import { runOversee, startServerProcess, type ServerProcess } from './support/server.js';

const url = pgTestUrl();
const skip = await pgSkipReason(url);

/** GET, or POST `body` as JSON; with a Bearer token when given. */
const call = (base: string, path: string, body?: unknown, token?: string): Promise<JsonAnswer> => requestJson(base, path, { body, token });

describe('oversee migrate --from ./data --to postgres://…', { skip: skip ?? false }, () => {
  const schema = freshSchemaName('ovs_migrate');
  const servers: ServerProcess[] = [];
  after(async () => {
    for (const s of servers) {
      await s.stop();
      await rm(s.dataDir, { recursive: true, force: true });
    }
    await dropSchema(url, schema);
  });

  test('copies an installation, prints verified counts, and a PostgreSQL node serves it', async () => {
    // 1. An embedded installation with a check and samples (some still only in the tsdb WAL at stop).
    const lite = await startServerProcess();
    servers.push(lite);
    const token = lite.adminToken;
    assert.ok(token);
    const T = Date.now() - 60_000;
    assert.equal((await call(lite.url, '/api/set/service/status', { server: { name: 'web1', key: 'k' }, period: 60, services: [{ name: 'disk', state: 'WARN', info: '91%' }] })).status, 200);
    assert.equal((await call(lite.url, '/api/put', Array.from({ length: 30 }, (_, i) => ({ metric: 'm.load', timestamp: T + i * 1000, value: 2, tags: { host: 'web1' } })))).status, 204);
    assert.deepEqual(await lite.stop(), { code: 0, signal: null });

    // 2. The copy.
    const run = await runOversee(['migrate', '--from', lite.dataDir, '--to', url, '--schema', schema], { timeoutMs: 60_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /row counts verified/);
    assert.match(run.stdout, /^\s+checks\s+1$/m);
    assert.match(run.stdout, /^\s+api_tokens\s+1$/m);
    assert.match(run.stdout, /^\s+tsdb_series\s+1$/m);
    assert.match(run.stdout, /^\s+tsdb_wal\s+0$/m, 'the tsdb was checkpointed before the copy');

    // 3. A node on the schema serves the same data with the same token.
    const node = await startServerProcess({ args: ['--store', `${url}?schema=${schema}`] });
    servers.push(node);
    assert.equal(node.adminToken, null, 'the copied token is kept, no new one is made');
    const checks = await call(node.url, '/api/v1/checks', undefined, token);
    assert.deepEqual((checks.body as { items: Array<{ name: string; state: string }> }).items.map((c) => [c.name, c.state]), [['disk', 'WARN']]);
    const q = await call(node.url, `/api/v1/query?name=m.load&from=${T - 1000}&to=${T + 60_000}&step=120000&agg=sum`, undefined, token);
    assert.equal(q.status, 200, JSON.stringify(q.body));
    const sum = (q.body as { series: Array<{ values: Array<number | null> }> }).series.flatMap((s) => s.values).reduce<number>((x, v) => x + (v ?? 0), 0);
    assert.equal(sum, 60, '30 samples of value 2');

    // 4. A second copy into the same schema is refused.
    const again = await runOversee(['migrate', '--from', lite.dataDir, '--to', `${url}?schema=${schema}`], { timeoutMs: 60_000 });
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /not empty/);
  });
});
