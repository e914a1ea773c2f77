import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenTsdbKeyTable, parseOpenTsdbFast } from '../protocols/opentsdb-fast.js';
import { openSqliteTsdbStorage } from '../store/sqlite/tsdb-storage.js';
import { Tsdb } from './index.js';

const NOW = Date.UTC(2026, 0, 10);
const body = (value: number, host = 'a') => Buffer.from(`[{"metric":"k.m","timestamp":${NOW - 1000},"value":${value},"tags":{"host":"${host}"}}]`);

async function withTsdb(fn: (tsdb: Tsdb) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-append-keyed-'));
  const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ path: join(dir, 't.sqlite') }), clock: { now: () => NOW } });
  try {
    await fn(tsdb);
  } finally {
    await tsdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const last = async (tsdb: Tsdb, projectId: number) =>
  (await tsdb.query({ projectId, name: 'k.m', from: NOW - 60_000, to: NOW, step: 60_000, agg: 'last', tier: 0 })).series.map((s) => [s.tags, s.values.filter((v) => v !== null)]);

test('appendKeyed: caches series handles per key; refuses like append(); a dropped project is not written through old handles', async () => {
  await withTsdb(async (tsdb) => {
    const keys = new OpenTsdbKeyTable();
    assert.deepEqual(tsdb.appendKeyed(2, keys, parseOpenTsdbFast(body(1), keys)!), { accepted: 1, rejected: 0 });
    const handle = keys.handles[0];
    assert.ok(handle !== undefined);
    assert.deepEqual(tsdb.appendKeyed(2, keys, parseOpenTsdbFast(body(2), keys)!), { accepted: 1, rejected: 0 });
    assert.equal(keys.handles[0], handle);
    await tsdb.commit();
    assert.deepEqual(await last(tsdb, 2), [[{ host: 'a' }, [2]]]);
    // Refusals: too old, too far in the future (as append() refuses them); nothing is created.
    const old = Buffer.from(`{"metric":"k.old","timestamp":${NOW - 30 * 86_400_000},"value":1}`);
    assert.deepEqual(tsdb.appendKeyed(2, keys, parseOpenTsdbFast(old, keys)!), { accepted: 0, rejected: 1 });
    assert.equal(tsdb.series({ projectId: 2, namePrefix: 'k.old' }).length, 0);
    // After the project is dropped, the same key makes a new series in a fresh project state.
    await tsdb.dropProject(2);
    assert.equal(tsdb.series({ projectId: 2 }).length, 0);
    assert.deepEqual(tsdb.appendKeyed(2, keys, parseOpenTsdbFast(body(3), keys)!), { accepted: 1, rejected: 0 });
    assert.notEqual(keys.handles[0], handle);
    await tsdb.commit();
    assert.equal(tsdb.series({ projectId: 2 }).length, 1);
    assert.deepEqual(await last(tsdb, 2), [[{ host: 'a' }, [3]]]);
  });
});

test('appendKeyed: lists the refused samples by index when asked; append() after it does not use a stale clock', async () => {
  let now = NOW;
  const dir = mkdtempSync(join(tmpdir(), 'oversee-append-keyed-'));
  const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ path: join(dir, 't.sqlite') }), clock: { now: () => now } });
  try {
    const keys = new OpenTsdbKeyTable();
    const points = [[NOW - 1000, 'ok'], [NOW - 30 * 86_400_000, 'old'], [NOW - 500, 'ok'], [NOW + 30 * 86_400_000, 'future']] as const;
    const b = parseOpenTsdbFast(Buffer.from(JSON.stringify(points.map(([t, what]) => ({ metric: 'k.r', timestamp: t, value: 1, tags: { what } })))), keys)!;
    const refused: number[] = [7];
    assert.deepEqual(tsdb.appendKeyed(2, keys, b, refused), { accepted: 2, rejected: 2 });
    assert.deepEqual(refused, [7, 1, 3], 'pushed after what the list held, in order');
    // append() reads the clock once per 1024 pending samples, and 2 are pending: it must not use
    // a clock from before the keyed batch (here, none at all), nor one an hour old.
    assert.equal(tsdb.append(2, 'k.plain', {}, NOW - 1000, 1), null);
    now = NOW + 3_600_000;
    assert.deepEqual(tsdb.appendKeyed(2, keys, parseOpenTsdbFast(body(1), keys)!), { accepted: 1, rejected: 0 });
    assert.equal(tsdb.append(2, 'k.plain', {}, now - 1000, 2), null);
  } finally {
    await tsdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
