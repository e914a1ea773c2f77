import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Check, CheckState, Flip, StateReport } from '../../domain/types.js';
import { errorCode, errorMessage, pageOf, seedHost, startHarness, type Harness } from './test-support/harness.js';

/** Follows nextCursor from `url` until the last page; returns every item in order and the page count. */
async function walk<T>(h: Harness, url: string): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await h.call('GET', cursor === null ? url : `${url}${sep}cursor=${encodeURIComponent(cursor)}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const page = pageOf<T>(res.body);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < 1000);
  return { items, pages };
}

describe('GET /api/v1/checks', () => {
  let h: Harness;
  let web1: number;
  let otherProject: number;
  const BULK = 250;

  before(async () => {
    h = await startHarness();
    const t = h.clock.now();
    const def = h.defaultProjectId;
    otherProject = (await h.store.projects.create('other', t)).id;
    web1 = await seedHost(h.store, def, 'web1', [['cpu', 'OK'], ['disk', 'ERR'], ['disk-io', 'WARN'], ['mem', 'OK']], t);
    await seedHost(h.store, def, 'web2', [['cpu', 'UNK'], ['disk', 'OK']], t);
    await seedHost(h.store, otherProject, 'web1', [['cpu', 'ERR']], t);
    await seedHost(h.store, otherProject, 'lonely', [['ping', 'OK']], t);
    const bulk: [string, CheckState][] = [];
    for (let i = 0; i < BULK; i++) bulk.push([`svc-${String(i).padStart(3, '0')}`, i % 10 === 0 ? 'WARN' : 'OK']);
    await seedHost(h.store, def, 'bulk', bulk, t);
  });
  after(async () => h.close());

  it('pages through more checks than one page with cursors, without duplicates or misses', async () => {
    const { items, pages } = await walk<Check>(h, '/api/v1/checks?host=bulk&project=default&limit=7');
    assert.equal(pages, Math.ceil(BULK / 7));
    assert.equal(items.length, BULK);
    assert.equal(new Set(items.map((c) => c.id)).size, BULK);
    assert.deepEqual(items.map((c) => c.name), [...Array(BULK).keys()].map((i) => `svc-${String(i).padStart(3, '0')}`));
  });

  it('answers 100 items and a cursor by default, and the whole set across pages', async () => {
    const first = pageOf<Check>((await h.call('GET', '/api/v1/checks')).body);
    assert.equal(first.items.length, 100);
    assert.notEqual(first.nextCursor, null);
    const all = await walk<Check>(h, '/api/v1/checks');
    assert.equal(all.items.length, BULK + 8);
    assert.equal(new Set(all.items.map((c) => c.id)).size, BULK + 8);
  });

  it('answers up to 1000 items in one page when asked', async () => {
    const page = pageOf<Check>((await h.call('GET', '/api/v1/checks?limit=1000')).body);
    assert.equal(page.items.length, BULK + 8);
    assert.equal(page.nextCursor, null);
  });

  const filters: [string, string, string[]][] = [
    ['host by id', `host=\${web1}`, ['web1/cpu', 'web1/disk', 'web1/disk-io', 'web1/mem']],
    ['host by name within a project', 'host=web1&project=default', ['web1/cpu', 'web1/disk', 'web1/disk-io', 'web1/mem']],
    ['host by name found in one project only', 'host=web2', ['web2/cpu', 'web2/disk']],
    ['state', 'state=ERR', ['web1/disk', 'web1/cpu']],
    ['name prefix', 'prefix=disk', ['web1/disk', 'web1/disk-io', 'web2/disk']],
    ['name prefix and state', 'prefix=disk&state=OK', ['web2/disk']],
    ['host and state', 'host=web1&project=default&state=WARN', ['web1/disk-io']],
    ['project by name', 'project=other', ['web1/cpu', 'lonely/ping']],
    ['project by id', `project=\${otherProject}`, ['web1/cpu', 'lonely/ping']],
    ['a prefix nothing has', 'prefix=zzz', []],
  ];
  for (const [what, query, want] of filters) {
    it(`filters by ${what}`, async () => {
      const q = query.replace('${web1}', String(web1)).replace('${otherProject}', String(otherProject));
      const { items } = await walk<Check>(h, `/api/v1/checks?limit=1000&${q}`);
      assert.deepEqual(items.map((c) => `${c.hostName}/${c.name}`).sort(), [...want].sort());
    });
  }

  it('asks for a project when a host name exists in several projects', async () => {
    const res = await h.call('GET', '/api/v1/checks?host=web1');
    assert.equal(res.status, 400);
    assert.equal(errorCode(res.body), 'OVS_ERR_VALIDATION');
    assert.match(errorMessage(res.body), /^host: .*project/);
  });

  const notFound: [string, string][] = [
    ['an unknown host name', 'host=nosuch'],
    ['an unknown host id', 'host=99999'],
    ['a host id from another project than the one asked', `host=\${web1}&project=other`],
    ['an unknown project', 'project=nosuch'],
  ];
  for (const [what, query] of notFound) {
    it(`answers 404 OVS_ERR_NOT_FOUND naming the field for ${what}`, async () => {
      const res = await h.call('GET', `/api/v1/checks?${query.replace('${web1}', String(web1))}`);
      assert.equal(res.status, 404);
      assert.equal(errorCode(res.body), 'OVS_ERR_NOT_FOUND');
      assert.match(errorMessage(res.body), /^(host|project): /);
    });
  }

  const invalid: [string, string, string][] = [
    ['limit=0', 'limit', 'OVS_ERR_VALIDATION'],
    ['limit=1001', 'limit', 'OVS_ERR_VALIDATION'],
    ['limit=ten', 'limit', 'OVS_ERR_VALIDATION'],
    ['state=BROKEN', 'state', 'OVS_ERR_VALIDATION'],
    ['prefix=', 'prefix', 'OVS_ERR_VALIDATION'],
    ['cursor=not-a-cursor', 'cursor', 'OVS_ERR_BAD_CURSOR'],
  ];
  for (const [query, field, code] of invalid) {
    it(`rejects ${query} with ${code} naming ${field}`, async () => {
      const res = await h.call('GET', `/api/v1/checks?${query}`);
      assert.equal(res.status, 400);
      assert.equal(errorCode(res.body), code);
      assert.ok(errorMessage(res.body).startsWith(`${field}: `), errorMessage(res.body));
    });
  }
});

describe('GET and DELETE /api/v1/checks/:id, history and flips', () => {
  let h: Harness;
  let hostId: number;
  let checkId: number;
  const t0 = 1_700_000_000_000;
  const states: CheckState[] = ['OK', 'OK', 'ERR', 'ERR', 'OK', 'WARN', 'WARN', 'OK', 'UNK', 'OK', 'ERR', 'OK'];

  before(async () => {
    h = await startHarness(t0);
    hostId = await seedHost(h.store, h.defaultProjectId, 'app', [['other', 'OK']], t0);
    for (const [i, state] of states.entries()) {
      await h.store.ingest.reportStates({
        hostId, at: t0 + i * 1000, address: null, source: 'overc', services: [{ name: 'http', state, info: `#${i}`, periodS: 30 }],
      });
    }
    const check = await h.store.checks.getByName(hostId, 'http');
    assert.ok(check);
    checkId = check.id;
  });
  after(async () => h.close());

  it('gets one check with its current state', async () => {
    const res = await h.call('GET', `/api/v1/checks/${checkId}`);
    assert.equal(res.status, 200);
    const c = res.body as Check;
    assert.equal(c.name, 'http');
    assert.equal(c.hostName, 'app');
    assert.equal(c.state, 'OK');
    assert.equal(c.info, `#${states.length - 1}`);
    assert.equal(c.periodS, 30);
  });

  it('lists every state report newest first across pages', async () => {
    const { items, pages } = await walk<StateReport>(h, `/api/v1/checks/${checkId}/history?limit=5`);
    assert.equal(pages, 3);
    assert.deepEqual(items.map((r) => r.state), [...states].reverse());
    assert.deepEqual(items.map((r) => r.at), states.map((_, i) => t0 + i * 1000).reverse());
  });

  it('limits history to an inclusive time range', async () => {
    const { items } = await walk<StateReport>(h, `/api/v1/checks/${checkId}/history?from=${t0 + 2000}&to=${t0 + 4000}`);
    assert.deepEqual(items.map((r) => r.info), ['#4', '#3', '#2']);
  });

  it('lists the flips (state changes only) newest first across pages', async () => {
    const { items } = await walk<Flip>(h, `/api/v1/checks/${checkId}/flips?limit=2`);
    const changes: string[] = [];
    for (let i = 1; i < states.length; i++) if (states[i] !== states[i - 1]) changes.push(`${states[i - 1]}>${states[i]}`);
    assert.deepEqual(items.map((f) => `${f.oldState}>${f.newState}`), changes.reverse());
    assert.ok(items.every((f) => f.checkId === checkId && f.reason === 'reported'));
  });

  const missing: [string, string][] = [
    ['GET', '/api/v1/checks/99999'],
    ['GET', '/api/v1/checks/99999/history'],
    ['GET', '/api/v1/checks/99999/flips'],
    ['DELETE', '/api/v1/checks/99999'],
  ];
  for (const [method, url] of missing) {
    it(`answers 404 OVS_ERR_NOT_FOUND for ${method} ${url}`, async () => {
      const res = await h.call(method as 'GET' | 'DELETE', url, h.tokens.editor);
      assert.equal(res.status, 404);
      assert.equal(errorCode(res.body), 'OVS_ERR_NOT_FOUND');
    });
  }

  const badIds: [string, string][] = [
    ['/api/v1/checks/abc', 'id'],
    ['/api/v1/checks/0', 'id'],
    ['/api/v1/checks/99999999999999999999', 'id'],
    ['/api/v1/checks/1/history?from=yesterday', 'from'],
    ['/api/v1/checks/1/history?to=-5', 'to'],
  ];
  for (const [url, field] of badIds) {
    it(`rejects ${url} naming ${field}`, async () => {
      const res = await h.call('GET', url);
      assert.equal(res.status, 400);
      assert.equal(errorCode(res.body), 'OVS_ERR_VALIDATION');
      assert.ok(errorMessage(res.body).startsWith(`${field}: `), errorMessage(res.body));
    });
  }

  it('deletes a check with its history, and answers 404 afterwards', async () => {
    const victim = await seedHost(h.store, h.defaultProjectId, 'gone', [['a', 'OK'], ['b', 'ERR']], t0);
    const a = await h.store.checks.getByName(victim, 'a');
    assert.ok(a);
    const del = await h.call('DELETE', `/api/v1/checks/${a.id}`, h.tokens.editor);
    assert.equal(del.status, 204);
    assert.equal(del.body, undefined);
    assert.equal((await h.call('GET', `/api/v1/checks/${a.id}`)).status, 404);
    assert.equal((await h.call('DELETE', `/api/v1/checks/${a.id}`, h.tokens.editor)).status, 404);
    assert.equal((await h.store.history.stateReports(a.id, { limit: 10 })).items.length, 0);
    const left = pageOf<Check>((await h.call('GET', `/api/v1/checks?host=${victim}`)).body);
    assert.deepEqual(left.items.map((c) => c.name), ['b']);
  });
});

describe('paging while checks come and go', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => h.close());

  it('neither repeats nor skips existing checks when others are added and deleted between pages', async () => {
    const t = h.clock.now();
    const names = [...Array(30).keys()].map((i) => `c${String(i).padStart(2, '0')}`);
    const hostId = await seedHost(h.store, h.defaultProjectId, 'h', names.map((n) => [n, 'OK'] as const), t);
    const seen: string[] = [];
    let cursor: string | null = null;
    let round = 0;
    do {
      const page: { items: Check[]; nextCursor: string | null } = pageOf<Check>((await h.call('GET', `/api/v1/checks?limit=4${cursor === null ? '' : `&cursor=${cursor}`}`)).body);
      seen.push(...page.items.map((c) => c.name));
      cursor = page.nextCursor;
      // Between pages: a check already seen goes away and a new one arrives.
      const first = await h.store.checks.getByName(hostId, names[round] ?? '');
      if (first) await h.store.checks.delete(first.id);
      await h.store.ingest.reportStates({ hostId, at: t, address: null, source: 'api', services: [{ name: `new${round}`, state: 'OK', info: '', periodS: null }] });
      round++;
    } while (cursor !== null && round < 100);
    assert.equal(new Set(seen).size, seen.length, 'no check twice');
    for (const n of names) assert.ok(seen.includes(n), `${n} seen`);
  });
});

describe('unknown fields', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => h.close());

  const cases: ['GET' | 'POST', string, unknown, string][] = [
    ['GET', '/api/v1/checks?sate=ERR', undefined, 'sate'],
    ['GET', '/api/v1/hosts?limit=5&name=web', undefined, 'name'],
    ['GET', '/api/v1/checks/1?verbose=1', undefined, 'verbose'],
    ['POST', '/api/v1/tokens', { name: 'n', role: 'viewer', scope: 'all' }, 'scope'],
  ];
  for (const [method, url, body, field] of cases) {
    it(`refuses ${field} in ${method} ${url.split('?')[0] ?? ''} instead of ignoring it`, async () => {
      const res = await h.call(method, url, h.tokens.admin, body);
      assert.equal(res.status, 400);
      assert.equal(errorCode(res.body), 'OVS_ERR_VALIDATION');
      assert.equal(errorMessage(res.body), `${field}: is not a known field`);
    });
  }
});
