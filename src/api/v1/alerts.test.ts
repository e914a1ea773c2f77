import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Alert, Flip } from '../../domain/types.js';
import type { AlertInput } from '../../store/types.js';
import { errorCode, errorMessage, pageOf, seedHost, startHarness, type Harness } from './test-support/harness.js';

describe('/api/v1/alerts and /api/v1/flips', () => {
  let h: Harness;
  let web: number;
  let db: number;
  let otherProject: number;
  const t0 = 1_700_000_000_000;
  const N = 40;

  before(async () => {
    h = await startHarness(t0);
    otherProject = (await h.store.projects.create('other', t0)).id;
    web = await seedHost(h.store, h.defaultProjectId, 'web', [['http', 'OK']], t0);
    db = await seedHost(h.store, h.defaultProjectId, 'db', [['pg', 'OK']], t0);
    const alerts: AlertInput[] = [];
    for (let i = 0; i < N; i++) {
      alerts.push({
        projectId: h.defaultProjectId, hostId: i % 2 === 0 ? web : db, checkName: i % 4 === 0 ? 'http' : null,
        at: t0 + Math.floor(i / 3) * 1000, title: `alert ${i}`, message: `m${i}`, source: 'overc',
      });
    }
    alerts.push({ projectId: otherProject, hostId: null, checkName: null, at: t0, title: 'elsewhere', message: '', source: 'api' });
    await h.store.ingest.raiseAlerts(alerts);
    for (let i = 1; i <= 6; i++) {
      await h.store.ingest.reportStates({
        hostId: i % 2 ? web : db, at: t0 + i * 1000, address: null, source: 'overc',
        services: [{ name: i % 2 ? 'http' : 'pg', state: i % 4 < 2 ? 'ERR' : 'OK', info: `f${i}`, periodS: null }],
      });
    }
  });
  after(async () => h.close());

  async function walk<T>(url: string, limit: number): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | null = null;
    do {
      const res = await h.call('GET', `${url}${url.includes('?') ? '&' : '?'}limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const page = pageOf<T>(res.body);
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return out;
  }

  it('pages through alerts newest first, with ties at the same time, without duplicates or misses', async () => {
    const all = await walk<Alert>('/api/v1/alerts', 7);
    assert.equal(all.length, N + 1);
    assert.equal(new Set(all.map((a) => a.id)).size, N + 1);
    for (let i = 1; i < all.length; i++) {
      const a = all[i - 1];
      const b = all[i];
      assert.ok(a && b && (a.at > b.at || (a.at === b.at && a.id > b.id)), 'newest first');
    }
  });

  it('filters alerts by host name, project, check id and time range', async () => {
    const byHost = await walk<Alert>('/api/v1/alerts?host=web', 5);
    assert.equal(byHost.length, N / 2);
    assert.ok(byHost.every((a) => a.hostId === web));

    const byProject = await walk<Alert>('/api/v1/alerts?project=other', 5);
    assert.deepEqual(byProject.map((a) => a.title), ['elsewhere']);

    const http = await h.store.checks.getByName(web, 'http');
    assert.ok(http);
    const byCheck = await walk<Alert>(`/api/v1/alerts?check=${http.id}`, 3);
    assert.equal(byCheck.length, N / 4);
    assert.ok(byCheck.every((a) => a.checkId === http.id));

    const inRange = await walk<Alert>(`/api/v1/alerts?project=default&from=${t0 + 1000}&to=${t0 + 2000}`, 2);
    assert.deepEqual(inRange.map((a) => a.title).sort(), ['alert 3', 'alert 4', 'alert 5', 'alert 6', 'alert 7', 'alert 8'].sort());
  });

  it('lists flips of all checks newest first, filtered by host', async () => {
    const all = await walk<Flip>('/api/v1/flips', 2);
    assert.deepEqual(all.map((f) => f.info), ['f6', 'f5', 'f4', 'f3', 'f1'], 'f2 repeated OK: no flip');
    const onDb = await walk<Flip>(`/api/v1/flips?host=${db}`, 10);
    assert.ok(onDb.length > 0 && onDb.every((f) => f.hostId === db));
  });

  const invalid: [string, string, string, number][] = [
    ['check=abc', 'check', 'OVS_ERR_VALIDATION', 400],
    ['from=soon', 'from', 'OVS_ERR_VALIDATION', 400],
    ['check=99999', 'check', 'OVS_ERR_NOT_FOUND', 404],
    ['host=nosuch', 'host', 'OVS_ERR_NOT_FOUND', 404],
  ];
  for (const [query, field, code, status] of invalid) {
    it(`answers ${status} ${code} naming ${field} for ${query}`, async () => {
      const res = await h.call('GET', `/api/v1/alerts?${query}`);
      assert.equal(res.status, status);
      assert.equal(errorCode(res.body), code);
      assert.ok(errorMessage(res.body).startsWith(`${field}: `), errorMessage(res.body));
    });
  }
});
