import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NotifyEvent } from '../notify/types.js';
import { channelsFor } from './routing.js';
import type { Route } from './types.js';

const route = (o: Partial<Route>): Route => ({
  name: 'r', projects: null, hosts: null, checks: null, states: null, tags: null, kinds: null, channels: [], isDefault: false, ...o,
});
const event = (o: Partial<NotifyEvent>): NotifyEvent => ({
  key: 'flip:1', kind: 'problem', at: 0, projectId: 1, project: 'shop', hostName: 'db-1', checkName: 'disk', oldState: 'OK', state: 'ERR',
  reason: 'reported', title: '', message: '', tags: ['prod'], ...o,
});

const routes: Route[] = [
  route({ name: 'db', hosts: ['db-*'], channels: ['dba-mail'] }),
  route({ name: 'critical', states: ['ERR'], channels: ['pager'] }),
  route({ name: 'staging', tags: ['staging'], channels: ['slack-staging'] }),
  route({ name: 'shop web', projects: ['shop'], checks: ['http*'], channels: ['shop-hook'] }),
  route({ name: 'fallback', isDefault: true, channels: ['ops-mail'] }),
];

const cases: Array<{ name: string; e: NotifyEvent; channels: string[] }> = [
  { name: 'every matching route contributes', e: event({}), channels: ['dba-mail', 'pager'] },
  { name: 'a recovery from ERR follows the ERR route', e: event({ hostName: 'web-1', oldState: 'ERR', state: 'OK', kind: 'recovery' }), channels: ['pager'] },
  { name: 'WARN on another host falls to the default route', e: event({ hostName: 'web-1', oldState: 'OK', state: 'WARN' }), channels: ['ops-mail'] },
  { name: 'tag match', e: event({ hostName: 'web-1', state: 'WARN', tags: ['staging'] }), channels: ['slack-staging'] },
  { name: 'project and check glob together', e: event({ hostName: 'web-1', checkName: 'http-home', state: 'WARN' }), channels: ['shop-hook'] },
  { name: 'project must match', e: event({ project: 'blog', hostName: 'web-1', checkName: 'http-home', state: 'WARN' }), channels: ['ops-mail'] },
  { name: 'a direct alert (no state) passes state filters', e: event({ kind: 'alert', hostName: 'web-1', state: null, oldState: null }), channels: ['pager'] },
];
for (const c of cases) {
  test(`routing: ${c.name}`, () => assert.deepEqual(channelsFor(routes, ['a', 'b'], c.e), c.channels));
}

test('routing: without routes every channel gets every event', () => {
  assert.deepEqual(channelsFor([], ['a', 'b'], event({})), ['a', 'b']);
});

test('routing: without a default route an unmatched event goes nowhere', () => {
  assert.deepEqual(channelsFor([route({ hosts: ['x'], channels: ['a'] })], ['a', 'b'], event({})), []);
});
