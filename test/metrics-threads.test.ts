// `[metrics] threads` on a real `oversee serve`: 0 parses OpenTSDB puts on the writer thread (no
// thread is started), a number starts parser threads; both store every point of a large put.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { requestJson } from './support/http-json.js';
import { startServerProcess } from './support/server.js';

const T_S = Math.floor(Date.now() / 1000) - 600;

/** Threads of process `pid` (Linux /proc). */
const threadsOf = (pid: number): number => readdirSync(`/proc/${pid}/task`).length;

test('[metrics] threads: 0 starts no parser thread, 2 does; a large put is stored whole either way', { skip: process.platform !== 'linux' ? 'needs /proc' : false }, async () => {
  const counts: Record<string, number> = {};
  for (const threads of ['0', '2']) {
    const server = await startServerProcess({ env: { OVERSEE_METRICS_THREADS: threads } });
    try {
      const points = Array.from({ length: 2000 }, (_, i) => ({ metric: 'thr.m', timestamp: T_S, value: i, tags: { host: `h${i}` } }));
      const r = await fetch(new URL('/api/put?summary', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(points) });
      assert.deepEqual(await r.json(), { failed: 0, success: 2000 });
      counts[threads] = threadsOf(server.proc.pid!);
      const q = await requestJson(server.url, `/api/v1/query?name=thr.m&from=${(T_S - 60) * 1000}&to=${(T_S + 60) * 1000}&step=120000&agg=count&groupBy=`, { token: server.adminToken });
      assert.equal(q.status, 200, JSON.stringify(q.body));
      assert.deepEqual((q.body as { series: { values: (number | null)[] }[] }).series[0]!.values.reduce((a: number, v) => a + (v ?? 0), 0), 2000);
    } finally {
      await server.stop();
      await rm(server.dataDir, { recursive: true, force: true });
    }
  }
  assert.ok(counts['2']! > counts['0']!, `threads after a large put: ${JSON.stringify(counts)}`);
});
