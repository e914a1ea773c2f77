import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler } from './scheduler.js';
import { ManualTimers } from './test-support/manual-timers.js';

test('runs a job at once and then at a fixed rate', async () => {
  const t = new ManualTimers(0);
  const s = new Scheduler(t);
  const runs: number[] = [];
  s.add({ id: 'a', intervalMs: 8000, run: async () => { runs.push(t.now()); } });
  await t.advance(0);
  await t.advance(25_000);
  assert.deepEqual(runs, [0, 8000, 16000, 24000]);
});

test('never overlaps a run with itself: a due time during a long run is skipped and counted', async () => {
  const t = new ManualTimers(0);
  const s = new Scheduler(t);
  const starts: number[] = [];
  let release: (() => void) | undefined;
  s.add({ id: 'slow', intervalMs: 1000, run: () => { starts.push(t.now()); return new Promise<void>((r) => { release = r; }); } });
  await t.advance(3500);
  assert.deepEqual(starts, [0]);
  assert.equal(s.skipped, 3);
  release?.();
  await t.advance(500);
  assert.deepEqual(starts, [0, 4000]);
});

test('jobs with different intervals interleave in due order on one timer', async () => {
  const t = new ManualTimers(0);
  const s = new Scheduler(t);
  const log: string[] = [];
  s.add({ id: 'fast', intervalMs: 300, initialDelayMs: 300, run: async () => { log.push(`fast@${t.now()}`); } });
  s.add({ id: 'slow', intervalMs: 500, initialDelayMs: 500, run: async () => { log.push(`slow@${t.now()}`); } });
  await t.advance(1000);
  assert.deepEqual(log, ['fast@300', 'slow@500', 'fast@600', 'fast@900', 'slow@1000']);
  assert.equal(t.armed, 1, 'one timer for all jobs');
});

test('removed and replaced jobs stop running under their old schedule', async () => {
  const t = new ManualTimers(0);
  const s = new Scheduler(t);
  const log: string[] = [];
  s.add({ id: 'x', intervalMs: 100, run: async () => { log.push(`x1@${t.now()}`); } });
  s.add({ id: 'y', intervalMs: 100, run: async () => { log.push(`y@${t.now()}`); } });
  await t.advance(150);
  s.add({ id: 'x', intervalMs: 1000, initialDelayMs: 1000, run: async () => { log.push(`x2@${t.now()}`); } });
  s.remove('y');
  await t.advance(1000);
  assert.deepEqual(log, ['x1@0', 'y@0', 'x1@100', 'y@100', 'x2@1150']);
});

test('a job that throws is reported and keeps its schedule', async () => {
  const t = new ManualTimers(0);
  const errors: string[] = [];
  const s = new Scheduler(t, (job, err) => errors.push(`${job.id}: ${(err as Error).message}`));
  let n = 0;
  s.add({ id: 'bad', intervalMs: 10, run: async () => { n++; throw new Error('boom'); } });
  await t.advance(25);
  assert.equal(n, 3);
  assert.deepEqual(errors, ['bad: boom', 'bad: boom', 'bad: boom']);
});

test('many jobs: every job runs once per interval (heap order holds)', async () => {
  const t = new ManualTimers(0);
  const s = new Scheduler(t);
  const counts = new Map<string, number>();
  for (let i = 0; i < 500; i++) {
    const id = `j${i}`;
    s.add({ id, intervalMs: 10_000, initialDelayMs: (i * 37) % 10_000, run: async () => { counts.set(id, (counts.get(id) ?? 0) + 1); } });
  }
  await t.advance(99_999);
  assert.equal(counts.size, 500);
  for (const c of counts.values()) assert.equal(c, 10);
});
