// Test helpers for the metric routes and listeners: a real Tsdb on a temporary SQLite file, and a
// recording SampleSink that can be told to fail (for the "nothing acknowledged on failure" rule).
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteTsdbStorage } from '../store/sqlite/tsdb-storage.js';
import { Tsdb } from '../tsdb/index.js';
import { seriesProblem } from '../tsdb/series.js';
import { decodeWalRecord } from '../tsdb/wal-record.js';
import type { MetricType, Tags } from '../tsdb/types.js';
import type { AppDeps } from '../server/app.js';
import { appFixture, type AppFixture } from '../test-support/app-fixture.js';
import type { Clock } from '../util/clock.js';
import type { SampleSink } from './samples.js';
import { SeriesQuota, type SeriesLimits } from './quota.js';

/** One recorded sample. */
export interface RecordedSample {
  projectId: number;
  name: string;
  tags: Record<string, string>;
  timestampMs: number;
  value: number;
  type: MetricType | undefined;
}

/** Records appends; commit() makes them "written" unless failWith is set. Names are checked like the tsdb does. */
export class RecordingSink implements SampleSink {
  pending: RecordedSample[] = [];
  written: RecordedSample[] = [];
  /** When set, commit() rejects with this error (and drops what was pending). */
  failWith: Error | null = null;

  append(projectId: number, name: string, tags: Tags, timestampMs: number, value: number, type?: MetricType): string | null {
    const problem = seriesProblem(name, tags);
    if (problem !== null) return problem;
    this.pending.push({ projectId, name, tags: { ...tags }, timestampMs, value, type });
    return null;
  }

  async commit(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (this.failWith !== null) throw this.failWith;
    this.written.push(...batch);
  }
}

/** A real Tsdb on a fresh SQLite file (commit delay 0), its path, and how to close and remove it. */
export async function openTestTsdb(clock: Clock): Promise<{ tsdb: Tsdb; path: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-ingest-tsdb-'));
  const path = join(dir, 'tsdb.sqlite');
  const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ path }), clock, commitDelayMs: 0 });
  return {
    tsdb,
    path,
    async close() {
      await tsdb.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An in-process app (appFixture) with a real Tsdb whose clock follows the fixture's clock; `limits` gives it a series quota. */
export async function metricsAppFixture(overrides: Partial<AppDeps> & { limits?: SeriesLimits } = {}): Promise<AppFixture & { tsdb: Tsdb }> {
  let app: AppFixture | null = null;
  const clock = { now: () => app?.clock.now() ?? Date.now() };
  const t = await openTestTsdb(clock);
  const { limits, ...deps } = overrides;
  const f = await appFixture({ tsdb: t.tsdb, ...(limits ? { quota: new SeriesQuota(limits, t.tsdb, clock) } : {}), ...deps });
  app = f;
  return {
    ...f,
    tsdb: t.tsdb,
    async close() {
      await f.close();
      await t.close();
    },
  };
}

/** The raw points stored for `name` in [from, to] (step 1 s, last value per second), as [tags, ms, value]. */
export async function storedPoints(tsdb: Tsdb, projectId: number, name: string, from: number, to: number): Promise<[Record<string, string>, number, number][]> {
  const r = await tsdb.query({ projectId, name, from, to, step: 1000, agg: 'last', tier: 0 });
  const out: [Record<string, string>, number, number][] = [];
  for (const s of r.series) s.values.forEach((v, i) => { if (v !== null) out.push([s.tags, r.timestamps[i]!, v]); });
  return out;
}

/** How many samples are durable in the WAL of the tsdb file at `path`, read through a second connection. */
export async function durableWalSamples(path: string): Promise<number> {
  const storage = openSqliteTsdbStorage({ path });
  try {
    return (await storage.readWal()).reduce((n, r) => n + decodeWalRecord(r.data).count, 0);
  } finally {
    await storage.close();
  }
}

/** A UDP port that was free a moment ago. */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A TCP port that was free a moment ago. */
export async function freeTcpPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
