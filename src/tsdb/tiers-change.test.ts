// Changing the tier spec of an existing installation: what is stored stays readable and correct.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteTsdbStorage } from '../store/sqlite/tsdb-storage.js';
import { Tsdb } from './index.js';
import { DEFAULT_TIERS, parseTierSpec, type TierConfig } from './tiers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
// Chosen so the 1 h tier's 30-day chunks (old spec) and 60-day chunks (new spec) start on different days.
const NOW = 61 * 30 * DAY + 20 * DAY;

test('changing [metrics] tiers keeps every stored sample answering correctly (brute force per 6 h)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-tiers-'));
  const path = join(dir, 'tsdb.sqlite');
  const clock = { t: NOW - 2 * DAY, now(): number { return this.t; } };
  const samples: Array<[string, number, number]> = [];
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const open = (tiers: readonly TierConfig[]): Promise<Tsdb> => Tsdb.open({ storage: openSqliteTsdbStorage({ path }), clock, tiers, commitDelayMs: 0 });
  const write = async (tsdb: Tsdb, from: number, to: number): Promise<void> => {
    for (let t = from; t < to; t += 10 * MIN) {
      for (const host of ['a', 'b']) {
        const v = Math.round(rnd() * 1000) / 10;
        assert.equal(tsdb.append(1, 'm', { host }, t, v), null);
        samples.push([host, t, v]);
      }
    }
    await tsdb.commit();
    await tsdb.maintain();
  };
  const check = async (tsdb: Tsdb, tiers: readonly TierConfig[], label: string): Promise<void> => {
    const from = NOW - 8 * DAY;
    const to = NOW - 1;
    const step = 6 * HOUR;
    for (let k = 0; k < tiers.length; k++) {
      for (const agg of ['avg', 'min', 'max', 'sum', 'count'] as const) {
        const r = await tsdb.query({ projectId: 1, name: 'm', from, to, step, agg, tier: k });
        for (const s of r.series) {
          const want = r.timestamps.map((b) => {
            const vs = samples.filter(([h, t]) => h === s.tags.host && t >= b && t < b + step && (k > 0 || t >= NOW - tiers[0]!.retentionMs)).map((x) => x[2]);
            if (vs.length === 0) return null;
            const sum = vs.reduce((x, y) => x + y, 0);
            return agg === 'avg' ? sum / vs.length : agg === 'min' ? Math.min(...vs) : agg === 'max' ? Math.max(...vs) : agg === 'sum' ? sum : vs.length;
          });
          const got = s.values.map((v) => (v === null ? null : Math.round(v * 1e6) / 1e6));
          assert.deepEqual(got, want.map((v) => (v === null ? null : Math.round(v * 1e6) / 1e6)), `${label}: tier ${k} ${agg} host ${s.tags.host}`);
        }
        assert.equal(r.series.length, 2, `${label}: tier ${k}`);
      }
    }
  };
  try {
    let tsdb = await open(DEFAULT_TIERS);
    await write(tsdb, NOW - 6 * DAY, NOW - 4 * DAY);
    await tsdb.close();
    // New resolutions and chunk spans for both rollup tiers (5 m in 3-day chunks, 2 h in 60-day chunks).
    const changed = parseTierSpec('raw:7d,5m:90d,2h:2y');
    clock.t = NOW - DAY;
    tsdb = await open(changed);
    await write(tsdb, NOW - 4 * DAY, NOW - 2 * DAY);
    clock.t = NOW;
    await tsdb.maintain();
    await check(tsdb, changed, 'after the change');
    await tsdb.close();
    // And back: the default spec reads what both wrote.
    tsdb = await open(DEFAULT_TIERS);
    await tsdb.maintain();
    await check(tsdb, DEFAULT_TIERS, 'back to the default');
    await tsdb.close();
    // A removed tier is no longer queryable; the rest still is.
    tsdb = await open(parseTierSpec('raw:7d,1m:90d'));
    await assert.rejects(tsdb.query({ projectId: 1, name: 'm', from: NOW - DAY, to: NOW, step: HOUR, agg: 'avg', tier: 2 }), /no such tier/);
    await check(tsdb, parseTierSpec('raw:7d,1m:90d'), 'tier removed');
    await tsdb.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
