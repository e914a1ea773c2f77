// publishChecks: a check event per report, a flip event only when the report changed the state.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appFixture, type AppFixture } from '../test-support/app-fixture.js';
import { MemoryLiveEvents, type LiveEvent } from './events.js';

let f: AppFixture;
const live = new MemoryLiveEvents();
const got: LiveEvent[] = [];
before(async () => {
  f = await appFixture({ live });
  live.subscribe((e) => got.push(e));
});
after(async () => { await f.close(); });

const report = (state: string) => f.app.inject({
  method: 'POST', url: '/api/set/service/status', payload: { server: { name: 'web1', key: 'k' }, period: 60, services: [{ name: 'disk', state, info: state }] },
});

test('an OverC report publishes the check, and a flip only when the state changed (a new check has none)', async () => {
  await report('OK');
  f.clock.t += 1000;
  await report('OK');
  f.clock.t += 1000;
  await report('ERR');
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(got.map((e) => e.type === 'check' ? `check:${e.check.state}` : e.type === 'flip' ? `flip:${e.flip.oldState}>${e.flip.newState}` : e.type),
    ['check:OK', 'check:OK', 'check:ERR', 'flip:OK>ERR']);
});
