import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox, type DeliveryResult, type OutboxEntry, type OutboxItem } from './outbox.js';
import { OvercClient } from '../client/index.js';
import { overcDeliver } from './reporter.js';
import { memoryLogger } from './logger.js';
import { ManualTimers, flush } from './test-support/manual-timers.js';
import { startRecordingServer } from '../client/test-support/recording-server.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'outbox-'));
const status = (name: string, state: 'OK' | 'ERR', change: boolean, metrics = 0): OutboxItem => ({
  kind: 'status', change,
  service: { name, state, info: `${name} ${state}`, period: 60, ...(metrics > 0 ? { metrics: Array.from({ length: metrics }, (_, i) => ({ name: `m${i}`, value: i })) } : {}) },
});

test('delivers in order, batching consecutive entries of one kind', async () => {
  const t = new ManualTimers();
  const box = new Outbox({ dir: tmp(), timers: t, logger: memoryLogger() });
  box.open();
  const seen: string[][] = [];
  box.enqueue(status('a', 'OK', true));
  box.enqueue(status('b', 'OK', true));
  box.enqueue({ kind: 'alert', alert: { message: 'x' } });
  box.enqueue(status('c', 'ERR', true));
  box.start(async (batch) => { seen.push(batch.map((e) => (e.kind === 'status' ? e.service.name : e.alert.message))); return 'ok'; });
  await box.drained();
  await box.close();
  assert.deepEqual(seen, [['a', 'b'], ['x'], ['c']]);
  assert.equal(box.stats.delivered, 4);
});

test('waits while the server is down and replays in order with backoff', async () => {
  const t = new ManualTimers();
  const box = new Outbox({ dir: tmp(), timers: t, logger: memoryLogger(), minBackoffMs: 1000, maxBackoffMs: 4000, maxBatch: 1 });
  box.open();
  let up = false;
  const delivered: string[] = [];
  const attempts: number[] = [];
  box.start(async (batch) => {
    attempts.push(t.now());
    if (!up) return 'retry';
    for (const e of batch) if (e.kind === 'status') delivered.push(`${e.service.name}:${e.service.state}`);
    return 'ok';
  });
  box.enqueue(status('a', 'ERR', true));
  box.enqueue(status('a', 'OK', true));
  await t.advance(7000);
  assert.deepEqual(delivered, []);
  const t0 = attempts[0] ?? 0;
  assert.deepEqual(attempts.map((a) => a - t0), [0, 1000, 3000, 7000], 'backoff doubles up to the max');
  up = true;
  await t.advance(4000);
  assert.deepEqual(delivered, ['a:ERR', 'a:OK']);
  await box.close();
});

test('survives a restart: undelivered entries come back once, delivered ones do not', async () => {
  const dir = tmp();
  const t = new ManualTimers();
  const box1 = new Outbox({ dir, timers: t, logger: memoryLogger() });
  box1.open();
  box1.enqueue(status('a', 'OK', true));
  box1.start(async () => 'ok');
  await box1.drained();
  box1.enqueue(status('b', 'ERR', true));
  box1.enqueue(status('c', 'ERR', true));
  await box1.close(); // loop stopped before b and c could be delivered? they may have been: check below
  const afterFirst = box1.stats.delivered;
  const box2 = new Outbox({ dir, timers: t, logger: memoryLogger() });
  box2.open();
  const names = box2.pending().map((e) => (e.kind === 'status' ? e.service.name : ''));
  assert.equal(afterFirst + names.length, 3, 'every entry is either delivered or still queued');
  assert.ok(!names.includes('a'));
  box2.enqueue(status('d', 'OK', true));
  const seqs = box2.pending().map((e) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), 'sequence numbers keep growing');
  await box2.close();
});

test('a torn last journal line (crash mid-write) is skipped, earlier entries kept', async () => {
  const dir = tmp();
  const t = new ManualTimers();
  const box1 = new Outbox({ dir, timers: t, logger: memoryLogger() });
  box1.open();
  box1.enqueue(status('a', 'OK', true));
  await flush();
  await box1.close();
  appendFileSync(join(dir, 'outbox.jsonl'), '{"kind":"status","serv');
  const log = memoryLogger();
  const box2 = new Outbox({ dir, timers: t, logger: log });
  box2.open();
  assert.deepEqual(box2.pending().map((e) => e.kind === 'status' && e.service.name), ['a']);
  assert.ok(log.lines.some((l) => l.includes('unreadable journal lines')));
  await box2.close();
});

test('over its bound it drops oldest metrics first, then old repeats, and never state changes', () => {
  const t = new ManualTimers();
  const log = memoryLogger();
  const box = new Outbox({ dir: tmp(), timers: t, logger: log, maxBytes: 1500 });
  box.open();
  for (let i = 0; i < 10; i++) box.enqueue(status('cpu', 'OK', false, 5));
  const afterMetrics = box.pending();
  assert.ok(box.stats.droppedMetrics > 0, 'metrics dropped');
  assert.equal(afterMetrics.length, 10, 'no report dropped while metrics could go');
  const withMetrics = afterMetrics.map((e) => e.kind === 'status' && (e.service.metrics?.length ?? 0) > 0);
  assert.deepEqual(withMetrics, [...withMetrics].sort(), 'the oldest lost their metrics, the newest kept them');
  for (let i = 0; i < 40; i++) box.enqueue(status(`svc${i % 4}`, i % 2 === 0 ? 'ERR' : 'OK', true));
  for (let i = 0; i < 40; i++) box.enqueue(status('cpu', 'OK', false));
  const left = box.pending();
  assert.equal(left.filter((e) => e.kind === 'status' && e.change).length, 40, 'all 40 state changes kept');
  assert.ok(box.stats.droppedRepeats > 0);
  const cpu = left.filter((e) => e.kind === 'status' && e.service.name === 'cpu');
  assert.ok(cpu.length >= 1, 'the newest repeat of a service is kept');
  assert.ok(log.lines.some((l) => l.includes('outbox full')));
  void box.close();
});

test('a batch the server rejects is retried entry by entry so only the bad one is dropped', async () => {
  const t = new ManualTimers();
  const box = new Outbox({ dir: tmp(), timers: t, logger: memoryLogger() });
  box.open();
  const delivered: string[] = [];
  for (const n of ['a', 'bad', 'c']) box.enqueue(status(n, 'OK', true));
  box.start(async (batch): Promise<DeliveryResult> => {
    if (batch.some((e: OutboxEntry) => e.kind === 'status' && e.service.name === 'bad')) return 'reject';
    for (const e of batch) if (e.kind === 'status') delivered.push(e.service.name);
    return 'ok';
  });
  await box.drained();
  await box.close();
  assert.deepEqual(delivered, ['a', 'c']);
  assert.equal(box.stats.rejected, 1);
});

test('overcDeliver posts OverC bodies with per-service periods and maps 5xx to retry, 4xx to reject', async () => {
  let answer = 200;
  const srv = await startRecordingServer(() => ({ status: answer, body: answer === 200 ? '{"ok":1}' : '{"error":"x"}' }));
  try {
    const deliver = overcDeliver(new OvercClient({ url: srv.url, name: 'h', key: 'k' }), memoryLogger());
    const e1: OutboxEntry = { seq: 1, at: 0, kind: 'status', change: true, service: { name: 'a', state: 'OK', period: 10 } };
    const e2: OutboxEntry = { seq: 2, at: 0, kind: 'status', change: true, service: { name: 'b', state: 'ERR', period: 60, metrics: [{ name: 't', value: 1 }] } };
    assert.equal(await deliver([e1, e2]), 'ok');
    assert.deepEqual(JSON.parse(srv.requests[0]?.body ?? ''), {
      server: { name: 'h', key: 'k' }, period: 10,
      services: [{ name: 'a', state: 'OK', period: 10 }, { name: 'b', state: 'ERR', period: 60, metrics: [{ name: 't', value: 1 }] }],
    });
    assert.equal(await deliver([{ seq: 3, at: 0, kind: 'alert', alert: { message: 'm', service: 'a' } }]), 'ok');
    assert.equal(srv.requests[1]?.url, '/api/set/alerts');
    answer = 503;
    assert.equal(await deliver([e1]), 'retry');
    answer = 403;
    assert.equal(await deliver([e1]), 'reject');
  } finally {
    await srv.close();
  }
  const down = overcDeliver(new OvercClient({ url: 'http://127.0.0.1:1', name: 'h', key: 'k' }), memoryLogger());
  assert.equal(await down([{ seq: 1, at: 0, kind: 'alert', alert: { message: 'x' } }]), 'retry');
});

test('the journal is compacted once everything is delivered', async () => {
  const dir = tmp();
  const box = new Outbox({ dir, timers: new ManualTimers(), logger: memoryLogger() });
  box.open();
  for (let i = 0; i < 5; i++) box.enqueue(status(`s${i}`, 'OK', true));
  box.start(async () => 'ok');
  await box.drained();
  await flush();
  await box.close();
  assert.equal(readFileSync(join(dir, 'outbox.jsonl'), 'utf8'), '');
});

test('with batchDelayMs, reports made in the same moment travel in one request', async () => {
  const t = new ManualTimers();
  const box = new Outbox({ dir: tmp(), timers: t, logger: memoryLogger(), batchDelayMs: 500 });
  box.open();
  const sizes: number[] = [];
  box.start(async (batch) => { sizes.push(batch.length); return 'ok'; });
  await flush();
  box.enqueue(status('a', 'OK', true));
  await t.advance(100);
  box.enqueue(status('b', 'OK', true));
  box.enqueue(status('c', 'OK', true));
  assert.deepEqual(sizes, []);
  await t.advance(400);
  assert.deepEqual(sizes, [3]);
  await box.close();
});
