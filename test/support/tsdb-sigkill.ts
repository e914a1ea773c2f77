// The SIGKILL durability check shared by tsdb-sigkill.test.ts (Tsdb.append) and
// opentsdb-fast-sigkill.test.ts (the OpenTSDB fast path, inline and in threads): a child process writes numbered batches
// of 50 series forever, printing "ACK <batch>" once each is durable; it is killed twice and every
// acknowledged sample must be there. Also what the children open.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteTsdbStorage } from '../../src/store/sqlite/tsdb-storage.js';
import type { ChunkEncoder } from '../../src/tsdb/chunk-encoder.js';
import { Tsdb } from '../../src/tsdb/index.js';

/** Series the children write per batch (sample of series s in batch b: value b * 1000 + s). */
export const SERIES = 50;

/** For a child: its store (argv path) and base time (argv), checkpointing while it runs; `encoder` as in TsdbOptions. */
export async function openChildTsdb(encoder?: ChunkEncoder): Promise<{ tsdb: Tsdb; base: number }> {
  const [path, baseArg] = process.argv.slice(2);
  const base = Number(baseArg);
  const tsdb = await Tsdb.open({
    storage: openSqliteTsdbStorage({ path: path! }),
    clock: { now: () => base + 3_600_000 },
    checkpointSamples: 3000, // checkpoints happen while we run, so the kill may land in one
    ...(encoder !== undefined ? { encoder } : {}),
  });
  return { tsdb, base };
}

/** Runs the child until it has acknowledged `minAcks` batches, kills it with SIGKILL, returns the last ack. */
function runAndKill(child: string, path: string, base: number, minAcks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, path, String(base)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = -1;
    let buf = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l.startsWith('ACK ')) last = Number(l.slice(4));
      if (last >= minAcks && !proc.killed) proc.kill('SIGKILL');
    });
    proc.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

/**
 * Kills `child` (writing metric `name`) after 150 acks, checks every acknowledged sample (and
 * `extra`), kills it again after 20 more and checks again.
 */
export async function killTwiceAndCheck(child: string, name: string, tmpPrefix: string, extra?: (tsdb: Tsdb) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), tmpPrefix));
  const path = join(dir, 'tsdb.sqlite');
  const base = Date.UTC(2026, 0, 10);
  try {
    const acked = await runAndKill(child, path, base, 150);
    assert.ok(acked >= 150);
    const check = async (upTo: number): Promise<void> => {
      const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ path }), clock: { now: () => base + 3_600_000 } });
      try {
        const r = await tsdb.query({ projectId: 1, name, from: base, to: base + upTo * 1000, step: 1000, agg: 'last', tier: 0 });
        assert.equal(r.series.length, SERIES);
        for (const s of r.series) {
          const i = Number(s.tags.s);
          s.values.forEach((v, b) => assert.equal(v, b * 1000 + i, `series ${i} batch ${b}`));
        }
        extra?.(tsdb);
      } finally {
        await tsdb.close();
      }
    };
    await check(acked);
    // The reopened store (WAL replayed, checkpointed on close) keeps working after another kill.
    const acked2 = await runAndKill(child, path, base, 20);
    assert.ok(acked2 >= 20);
    await check(Math.max(acked, acked2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
