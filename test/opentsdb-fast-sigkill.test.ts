// The SIGKILL durability test of tsdb-sigkill.test.ts, with the samples put through the OpenTSDB
// byte-level fast path (Tsdb.appendKeyed) instead of Tsdb.append.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteTsdbStorage } from '../src/store/sqlite/tsdb-storage.js';
import { Tsdb } from '../src/tsdb/index.js';

const CHILD = new URL('./opentsdb-fast-sigkill-child.ts', import.meta.url).pathname;

/** Runs the child until it has acknowledged `minAcks` batches, kills it with SIGKILL, returns the last ack. */
function runAndKill(path: string, base: number, minAcks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, String(base)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = -1;
    let buf = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) if (l.startsWith('ACK ')) last = Number(l.slice(4));
      if (last >= minAcks && !child.killed) child.kill('SIGKILL');
    });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

test('OpenTSDB fast path: every acknowledged sample survives SIGKILL of the writing process (twice in a row)', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-otsdb-fast-kill-'));
  const path = join(dir, 'tsdb.sqlite');
  const base = Date.UTC(2026, 0, 10);
  try {
    const acked = await runAndKill(path, base, 150);
    assert.ok(acked >= 150);
    const check = async (upTo: number): Promise<void> => {
      const tsdb = await Tsdb.open({ storage: openSqliteTsdbStorage({ path }), clock: { now: () => base + 3_600_000 } });
      try {
        const r = await tsdb.query({ projectId: 1, name: 'kill.fast', from: base, to: base + upTo * 1000, step: 1000, agg: 'last', tier: 0 });
        assert.equal(r.series.length, 50);
        for (const s of r.series) {
          const i = Number(s.tags.s);
          s.values.forEach((v, b) => assert.equal(v, b * 1000 + i, `series ${i} batch ${b}`));
        }
      } finally {
        await tsdb.close();
      }
    };
    await check(acked);
    // The reopened store (WAL replayed, checkpointed on close) keeps working after another kill.
    const acked2 = await runAndKill(path, base, 20);
    assert.ok(acked2 >= 20);
    await check(Math.max(acked, acked2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
