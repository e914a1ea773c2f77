import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../errors.js';
import { DEFAULT_TIERS } from '../tsdb/tiers.js';
import { resolveConfig } from './load.js';
import { metricsThreads } from './metrics.js';

const file = (text: string): { path: string; text: string } => ({ path: '/etc/oversee/oversee.toml', text });
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

test('[metrics] tiers: default, file, env over file', () => {
  const d = resolveConfig({ cwd: '/' }).metrics;
  assert.deepEqual(d, { tiers: DEFAULT_TIERS, tiersSpec: 'raw:7d,1m:90d,1h:2y', tiersOrigin: 'default', threads: 'auto' });
  const f = resolveConfig({ cwd: '/', file: file('[metrics]\ntiers = "raw:14d, 5m:1y"\n') }).metrics;
  assert.deepEqual(f.tiers.map((t) => [t.resolutionMs, t.retentionMs]), [[0, 14 * DAY], [5 * 60_000, 365 * DAY]]);
  assert.equal(f.tiersOrigin, 'file');
  assert.equal(f.tiersSpec, 'raw:14d, 5m:1y');
  const e = resolveConfig({ cwd: '/', file: file('[metrics]\ntiers = "raw:14d"\n'), env: { OVERSEE_METRICS_TIERS: 'raw:3d,1m:30d' } }).metrics;
  assert.deepEqual(e.tiers.map((t) => t.retentionMs), [3 * DAY, 30 * DAY]);
  assert.equal(e.tiersOrigin, 'env');
  assert.equal(resolveConfig({ cwd: '/', env: { OVERSEE_METRICS_TIERS: '' } }).metrics.tiersOrigin, 'default');
});

test('[metrics] bad input stops start-up with an error naming the key', () => {
  const cases: Array<{ text?: string; env?: Record<string, string>; key: string; message: RegExp }> = [
    { text: '[metrics]\ntiers = "1m:90d"\n', key: 'metrics.tiers', message: /^config: metrics\.tiers: the first tier must be raw \(e\.g\. raw:7d\), got '1m:90d' \(expected archives like "raw:7d,1m:90d,1h:2y"\)$/ },
    { text: '[metrics]\ntiers = 7\n', key: 'metrics.tiers', message: /must be a string like "raw:7d,1m:90d,1h:2y", got 7/ },
    { text: '[metrics]\ntiers = "raw:7d,7m:90d"\n', key: 'metrics.tiers', message: /tier 1: resolution must divide the raw chunk span/ },
    { text: '[metrics]\ntiers = "raw:1d,1m:90d"\n', key: 'metrics.tiers', message: /raw retention must be longer than 26h/ },
    { text: '[metrics]\ntier = "raw:7d"\n', key: 'metrics.tier', message: /unknown setting \(known: tiers, threads\)/ },
    { text: '[metrics]\nthreads = -1\n', key: 'metrics.threads', message: /must be "auto" or an integer 0-16 \(0: no threads\), got -1/ },
    { text: '[metrics]\nthreads = 17\n', key: 'metrics.threads', message: /integer 0-16/ },
    { text: '[metrics]\nthreads = "many"\n', key: 'metrics.threads', message: /got "many"/ },
    { text: '[metrics]\nthreads = 1.5\n', key: 'metrics.threads', message: /got 1\.5/ },
    { env: { OVERSEE_METRICS_THREADS: 'two' }, key: 'OVERSEE_METRICS_THREADS', message: /must be "auto" or an integer 0-16/ },
    { text: 'metrics = 3\n', key: 'metrics', message: /must be a table \(\[metrics\]\), got 3/ },
    { env: { OVERSEE_METRICS_TIERS: 'raw:7d,1h:2y,1m:90d' }, key: 'OVERSEE_METRICS_TIERS', message: /resolutions must increase/ },
    { env: { OVERSEE_METRICS_TIERS: 'raw:7q' }, key: 'OVERSEE_METRICS_TIERS', message: /bad retention '7q'/ },
  ];
  for (const c of cases) {
    assert.throws(() => resolveConfig({ cwd: '/', ...(c.text !== undefined ? { file: file(c.text) } : {}), env: c.env ?? {} }), (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.equal(err.key, c.key);
      assert.match(err.message, c.message);
      return true;
    });
  }
});

test('[metrics] threads: "auto" by default, a number from the file, the environment over the file; what each starts', () => {
  assert.equal(resolveConfig({ cwd: '/' }).metrics.threads, 'auto');
  assert.equal(resolveConfig({ cwd: '/', file: file('[metrics]\nthreads = 0\n') }).metrics.threads, 0);
  assert.equal(resolveConfig({ cwd: '/', file: file('[metrics]\nthreads = "auto"\n') }).metrics.threads, 'auto');
  assert.equal(resolveConfig({ cwd: '/', file: file('[metrics]\nthreads = 0\n'), env: { OVERSEE_METRICS_THREADS: '3' } }).metrics.threads, 3);
  assert.equal(resolveConfig({ cwd: '/', file: file('[metrics]\nthreads = 2\n'), env: { OVERSEE_METRICS_THREADS: 'auto' } }).metrics.threads, 'auto');
  assert.deepEqual(metricsThreads('auto', 1), { parsers: 0, encoder: false });
  assert.deepEqual(metricsThreads('auto', 2), { parsers: 1, encoder: true });
  assert.deepEqual(metricsThreads('auto', 16), { parsers: 4, encoder: true });
  assert.deepEqual(metricsThreads(0, 16), { parsers: 0, encoder: false });
  assert.deepEqual(metricsThreads(6, 2), { parsers: 6, encoder: true });
});
