// GET /api/v1/overview?format=columns carries the same checks as the plain answer: the dashboard's
// decoder (decodeOverviewColumns, via fromColumns in web/src/lib/overview-columns.ts) gives back exactly the plain `checks`; other formats 400.
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appFixture, type AppFixture } from '../test-support/app-fixture.js';
import { addUser, login, type SessionClient } from '../users/test-support/session.js';
import { fromColumns, type ColumnsOverview } from '../../web/src/lib/overview-columns.js';
import { decodeOverviewColumns, encodeOverviewColumns } from './overview-columns.js';
import type { OverviewCheck } from './overview.js';

describe('overview as columns', () => {
  let f: AppFixture;
  let s: SessionClient;
  beforeEach(async () => {
    f = await appFixture();
    await addUser(f.store, 'vic', 'viewer');
    s = await login(f.app, 'vic');
  });
  afterEach(async () => { await f.close(); });

  test('encode then decode gives the checks back, nulls, expired and tags included', () => {
    const checks: OverviewCheck[] = [
      { id: 3, projectId: 1, hostId: 7, hostName: 'web1', name: 'a', state: 'ERR', info: 'disk full', lastReportAt: 990, lastChangeAt: 500, expired: true, tags: ['db'] },
      { id: 4, projectId: 2, hostId: 8, hostName: 'web2', name: 'b', state: 'UNK', info: '', lastReportAt: null, lastChangeAt: null, expired: false, tags: [] },
      { id: 9, projectId: 1, hostId: 7, hostName: 'web1', name: 'c', state: 'WARN', info: 'ü "quoted"', lastReportAt: 1000, lastChangeAt: 1000, expired: false, tags: ['x', 'y'] },
      { id: 10, projectId: 1, hostId: 8, hostName: 'web2', name: 'd', state: 'OK', info: 'fine', lastReportAt: 1200, lastChangeAt: 3, expired: false, tags: [] },
    ];
    const cols = encodeOverviewColumns(checks, 1000);
    assert.equal(cols.hosts.length, 2);
    assert.equal(cols.state, 'EUWO');
    assert.deepEqual(decodeOverviewColumns(JSON.parse(JSON.stringify(cols)), 1000), checks);
    assert.deepEqual(decodeOverviewColumns(encodeOverviewColumns([], 5), 5), []);
  });

  test('a malformed answer throws instead of giving wrong checks', () => {
    const cols = encodeOverviewColumns([{ id: 1, projectId: 1, hostId: 1, hostName: 'h', name: 'a', state: 'OK', info: '', lastReportAt: 1, lastChangeAt: 1, expired: false, tags: [] }], 10);
    assert.throws(() => decodeOverviewColumns({ ...cols, state: '' }, 10), /different lengths/);
    assert.throws(() => decodeOverviewColumns({ ...cols, state: 'Z' }, 10), /bad host or state/);
    assert.throws(() => decodeOverviewColumns({ ...cols, host: [4] }, 10), /bad host or state/);
  });

  test('the columns answer decodes to the plain answer over HTTP', async () => {
    await f.app.inject({ method: 'POST', url: '/api/set/service/status', payload: { server: { name: 'web1', key: 'k' }, period: 60, services: [{ name: 'a', state: 'OK' }, { name: 'b', state: 'ERR', info: 'bad' }] } });
    await f.app.inject({ method: 'POST', url: '/api/set/service/status', payload: { server: { name: 'web2', key: 'k' }, period: 60, services: [{ name: 'a', state: 'WARN' }] } });
    const plain = (await s.inject({ method: 'GET', url: '/api/v1/overview' })).json();
    const res = await s.inject({ method: 'GET', url: '/api/v1/overview?format=columns' });
    assert.equal(res.statusCode, 200);
    const cols = res.json() as ColumnsOverview & { checks?: unknown };
    assert.equal(cols.checks, undefined);
    const decoded = fromColumns(cols);
    assert.equal(decoded.checks.length, 3);
    assert.deepEqual(decoded, plain);
  });

  test('an unknown format answers 400 naming the field; no session answers 401 first', async () => {
    const res = await s.inject({ method: 'GET', url: '/api/v1/overview?format=rows' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'OVS_ERR_VALIDATION');
    assert.match(res.json().error.message, /^format: only "columns"/);
    assert.equal((await f.app.inject({ method: 'GET', url: '/api/v1/overview?format=rows' })).statusCode, 401);
  });
});
