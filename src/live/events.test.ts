import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RETAINED_SAMPLES, MemoryLiveEvents, type LiveEvent } from './events.js';

const alertBody = (n: number) => ({ type: 'severe' as const, projectId: 1, key: `k${n}`, title: 't', message: 'm', active: true, at: n });

test('subscribers get every event in publish order with ids counting up from 1', () => {
  const bus = new MemoryLiveEvents();
  const got: LiveEvent[] = [];
  bus.subscribe((e) => got.push(e));
  bus.publish(alertBody(1));
  bus.publish(alertBody(2));
  assert.deepEqual(got.map((e) => e.id), [1, 2]);
  assert.equal(bus.lastId(), 2);
});

test('unsubscribing stops delivery and a throwing listener does not stop the others', () => {
  const errors: unknown[] = [];
  const bus = new MemoryLiveEvents(10, (e) => errors.push(e));
  const got: number[] = [];
  bus.subscribe(() => { throw new Error('bad listener'); });
  const sub = bus.subscribe((e) => got.push(e.id));
  bus.publish(alertBody(1));
  sub.unsubscribe();
  bus.publish(alertBody(2));
  assert.deepEqual(got, [1]);
  assert.equal(errors.length, 2);
});

test('subscribing after an id replays the retained newer events', () => {
  const bus = new MemoryLiveEvents(3);
  for (let i = 1; i <= 5; i++) bus.publish(alertBody(i));
  const got: number[] = [];
  const sub = bus.subscribe((e) => got.push(e.id), 3);
  assert.equal(sub.replayed, true);
  assert.deepEqual(got, [4, 5]);
});

test('a gap older than the retained events is reported as not replayed', () => {
  const bus = new MemoryLiveEvents(2);
  for (let i = 1; i <= 5; i++) bus.publish(alertBody(i));
  const got: number[] = [];
  const sub = bus.subscribe((e) => got.push(e.id), 1);
  assert.equal(sub.replayed, false);
  assert.deepEqual(got, [4, 5]);
});

test('an id newer than any published (from before a restart) is reported as not replayed', () => {
  const bus = new MemoryLiveEvents();
  bus.publish(alertBody(1));
  assert.equal(bus.subscribe(() => undefined, 50).replayed, false);
  assert.equal(bus.subscribe(() => undefined, 1).replayed, true);
});

test('samples events keep at most MAX_RETAINED_SAMPLES samples in the ring; every other event stays', () => {
  const bus = new MemoryLiveEvents(1000);
  const samples = (n: number, v: number) => Array.from({ length: n }, (_, i) => ({ name: `m${i}`, tags: {}, t: v, v }));
  const kinds = new Map<number, string>();
  for (let i = 1; i <= 120; i++) {
    const e = i % 10 === 0 ? bus.publish(alertBody(i)) : bus.publish({ type: 'samples', projectId: 1, samples: samples(500, i) });
    kinds.set(e.id, e.type);
  }
  const got: LiveEvent[] = [];
  bus.subscribe((e) => got.push(e), 0);
  const kept = got.filter((e) => e.type === 'samples');
  assert.equal(kept.reduce((a, e) => a + (e.type === 'samples' ? e.samples.length : 0), 0), MAX_RETAINED_SAMPLES);
  // The newest samples events stay, in order; all 12 other events stay.
  assert.deepEqual(kept.map((e) => e.id), [...kinds].filter(([, k]) => k === 'samples').map(([id]) => id).slice(-MAX_RETAINED_SAMPLES / 500));
  assert.deepEqual(got.filter((e) => e.type === 'severe').map((e) => e.id), [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]);
  assert.deepEqual(got.map((e) => e.id), [...got.map((e) => e.id)].sort((a, b) => a - b), 'replayed in id order');
  // Dropping by `retain` keeps the count right: a small ring of mixed events never goes negative or stale.
  const small = new MemoryLiveEvents(3);
  for (let i = 1; i <= 50; i++) small.publish({ type: 'samples', projectId: 1, samples: samples(MAX_RETAINED_SAMPLES / 2, i) });
  const last: LiveEvent[] = [];
  small.subscribe((e) => last.push(e), 0);
  assert.deepEqual(last.map((e) => e.id), [49, 50]);
});
