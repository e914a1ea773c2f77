import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MemoryLiveEvents, type LiveEvent } from '../../live/events.js';
import { isLiveStore } from '../../live/store.js';
import { openPostgresStore, type PostgresStore } from './index.js';
import { withPgLiveEvents } from './live-store.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from './test-support.js';

const url = pgTestUrl();
const skip = await pgSkipReason(url);
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

describe('postgres live-event decorator', { skip: skip ?? false }, () => {
  const schema = freshSchemaName();
  let store: PostgresStore;
  before(async () => { store = await openPostgresStore({ url, schema, poolSize: 2 }); });
  after(async () => {
    await store?.close();
    await dropSchema(url, schema);
  });

  test('a batch of reports publishes each check once, followed by its flip when its state changed', async () => {
    const live = new MemoryLiveEvents();
    const events: LiveEvent[] = [];
    live.subscribe((e) => events.push(e));
    const wrapped = withPgLiveEvents(store, live);
    assert.equal(isLiveStore(wrapped), true);
    assert.equal(wrapped.pool, store.pool, 'the store\'s own members stay reachable');
    const project = (await wrapped.projects.getByName('default'))!;
    const host = await wrapped.hosts.register(project.id, 'h', null, T0);
    await wrapped.ingest.reportStates({ hostId: host.id, at: T0, address: null, source: 'api', services: [
      { name: 'a', state: 'ERR', info: 'x', periodS: null }, { name: 'b', state: 'OK', info: '', periodS: null }] });
    for (let i = 0; i < 50 && events.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(events.map((e) => [e.type, e.type === 'check' ? e.check.name : e.type === 'flip' ? e.flip.newState : '']),
      [['check', 'a'], ['flip', 'ERR'], ['check', 'b']]);
    await wrapped.ingest.raiseAlerts([{ projectId: project.id, hostId: host.id, checkName: null, at: T0, title: 't', message: 'm', source: 'api' }]);
    assert.equal(events.at(-1)?.type, 'alert');
  });
});
