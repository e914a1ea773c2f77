import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLiveEvents, type LiveEvent } from './events.js';

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
