// withLiveEvents: every durable change made through the wrapped store becomes a live event.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/index.js';
import { MemoryLiveEvents, type LiveEvent } from './events.js';
import { isLiveStore, withLiveEvents } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'oversee-live-store-'));
let raw: SqliteStore;
let store: SqliteStore;
const live = new MemoryLiveEvents();
const got: LiveEvent[] = [];
const settle = () => new Promise((r) => setTimeout(r, 30));
const label = (e: LiveEvent): string =>
  e.type === 'check' ? `check:${e.check.name}:${e.check.state}` : e.type === 'flip' ? `flip:${e.flip.oldState}>${e.flip.newState}`
    : e.type === 'alert' ? `alert:${e.alert.title}` : e.type === 'check-deleted' ? `deleted:${e.checkId}` : e.type;

before(async () => {
  raw = await openSqliteStore({ path: join(dir, 'o.db') });
  store = withLiveEvents(raw, live);
  live.subscribe((e) => got.push(e));
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('keeps the store itself usable (db, projects, close) and marks it live', async () => {
  assert.equal(isLiveStore(store), true);
  assert.equal(isLiveStore(raw), false);
  assert.equal(store.db, raw.db);
  assert.equal((await store.projects.getByName('default'))?.name, 'default');
});

test('state reports publish the check rows and flips; alerts publish alert events', async () => {
  const project = (await store.projects.getByName('default'))!;
  const host = await store.hosts.register(project.id, 'h1', null, 1000);
  const report = (at: number, state: 'OK' | 'ERR') => store.ingest.reportStates({ hostId: host.id, at, address: null, source: 'api', services: [{ name: 'disk', state, info: '', periodS: 60 }] });
  await report(1000, 'OK');
  await report(2000, 'ERR');
  await store.ingest.raiseAlerts([{ projectId: project.id, hostId: host.id, checkName: null, at: 3000, title: 'disk replaced', message: 'm', source: 'api' }]);
  await settle();
  assert.deepEqual(got.map(label), ['check:disk:OK', 'check:disk:ERR', 'flip:OK>ERR', 'alert:disk replaced']);
});

test('deleting a check or a host publishes check-deleted for each check that went', async () => {
  got.length = 0;
  const project = (await store.projects.getByName('default'))!;
  const host = await store.hosts.register(project.id, 'h2', null, 1000);
  const out = await store.ingest.reportStates({ hostId: host.id, at: 1000, address: null, source: 'api', services: [{ name: 'a', state: 'OK', info: '', periodS: null }, { name: 'b', state: 'OK', info: '', periodS: null }] });
  await settle();
  got.length = 0;
  assert.equal(await store.checks.delete(out[0]!.checkId), true);
  assert.equal(await store.hosts.delete(host.id), true);
  assert.equal(await store.checks.delete(999_999), false);
  assert.deepEqual(got.map(label), [`deleted:${out[0]!.checkId}`, `deleted:${out[1]!.checkId}`]);
});
