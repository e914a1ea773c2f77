import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SampleSink } from '../ingest/samples.js';
import { MemoryLiveEvents, type LiveEvent } from './events.js';
import { liveSampleSink } from './samples.js';

/** A sink that refuses names starting with "bad" and can fail its commit. */
function fakeSink(): SampleSink & { stored: string[]; failCommit: boolean } {
  const pending: string[] = [];
  const s = {
    stored: [] as string[],
    failCommit: false,
    append(_p: number, name: string) {
      if (name.startsWith('bad')) return 'bad name';
      pending.push(name);
      return null;
    },
    async commit() {
      if (s.failCommit) throw new Error('disk full');
      s.stored.push(...pending.splice(0));
    },
  };
  return s;
}

test('publishes the accepted samples per project only after the commit', async () => {
  const live = new MemoryLiveEvents();
  const got: LiveEvent[] = [];
  live.subscribe((e) => got.push(e));
  const inner = fakeSink();
  const sink = liveSampleSink(inner, live);
  assert.equal(sink.append(1, 'cpu', { host: 'a' }, 1000, 0.5), null);
  assert.equal(sink.append(1, 'bad.name', {}, 1000, 1), 'bad name');
  assert.equal(sink.append(2, 'mem', {}, 1000, 7), null);
  assert.equal(got.length, 0, 'nothing before the commit');
  await sink.commit();
  assert.deepEqual(got.map((e) => e.type === 'samples' ? [e.projectId, e.samples.map((s) => `${s.name}=${s.v}`)] : null), [[1, ['cpu=0.5']], [2, ['mem=7']]]);
  assert.deepEqual(inner.stored, ['cpu', 'mem']);
});

test('publishes nothing when the commit fails', async () => {
  const live = new MemoryLiveEvents();
  const inner = fakeSink();
  inner.failCommit = true;
  const sink = liveSampleSink(inner, live);
  sink.append(1, 'cpu', {}, 1, 1);
  await assert.rejects(sink.commit(), /disk full/);
  assert.equal(live.lastId(), 0);
});
