import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Check } from '../domain/types.js';
import { SqliteOkerrRepo } from '../store/sqlite/okerr.js';
import { appFixture, type AppFixture } from '../test-support/app-fixture.js';
import { hashHostKey } from './host-auth.js';
import { OKERR_HOST_NAME } from './okerr-routes.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('okerr protocol over HTTP', () => {
  let f: AppFixture;
  let token: string;
  let projectId: number;
  let repo: SqliteOkerrRepo;
  let n = 0;
  before(async () => {
    f = await appFixture();
    const project = (await f.store.projects.getByName('default'))!;
    token = project.ingestToken;
    projectId = project.id;
    repo = new SqliteOkerrRepo(f.store.db, f.store.writer);
  });
  after(async () => { await f.close(); });
  beforeEach(() => { f.clock.t += 1000; });

  /** A fresh indicator name per test, so that tests do not share state. */
  const fresh = (prefix = 'ind'): string => `${prefix}:${++n}`;
  const update = (fields: Record<string, string>, headers: Record<string, string> = FORM) =>
    f.app.inject({ method: 'POST', url: '/update', headers, payload: new URLSearchParams(fields).toString() });
  const send = (name: string, status: string, more: Record<string, string> = {}) =>
    update({ textid: 'default', secret: token, name, status, ...more });
  const okerrCheck = async (name: string): Promise<Check | null> => {
    const host = await f.store.hosts.getWithKey(projectId, OKERR_HOST_NAME);
    return host === null ? null : f.store.checks.getByName(host.id, name);
  };
  const countChecks = async () => (await f.store.checks.list({ limit: 10_000 })).items.length;

  describe('GET /api/director/<textid>', () => {
    it('answers the base URL of the request host, ending in a slash, as plain text', async () => {
      const r = await f.app.inject({ method: 'GET', url: '/api/director/default', headers: { host: 'mon.example:5000' } });
      assert.equal(r.statusCode, 200);
      assert.equal(r.body, 'http://mon.example:5000/');
      assert.match(r.headers['content-type'] as string, /^text\/plain/);
    });

    it('answers 404 with okerr\'s text for an unknown project', async () => {
      const r = await f.app.inject({ method: 'GET', url: '/api/director/nope' });
      assert.equal(r.statusCode, 404);
      assert.equal(r.body, "No such project. (textid: 'nope')");
    });
  });

  describe('POST /update answers', () => {
    const table: [string, Record<string, string>, number, string][] = [
      ['a missing textid', { name: 'a', status: 'OK' }, 400, "Missing required field 'textid'"],
      ['a missing name', { textid: 'default', status: 'OK' }, 400, "Missing required field 'name'"],
      ['a missing status', { textid: 'default', name: 'a' }, 400, "Missing required field 'status'"],
      ['an unknown project', { textid: 'nope', name: 'a', status: 'OK' }, 404, "No such project. (textid: 'nope')"],
      ['no secret', { textid: 'default', name: 'a', status: 'OK' }, 400, 'Require secret'],
      ['an empty secret', { textid: 'default', name: 'a', status: 'OK', secret: '' }, 400, 'Require secret'],
      ['a wrong secret', { textid: 'default', name: 'a', status: 'OK', secret: 'guess' }, 400, 'Bad secret'],
      ['an unknown method', { textid: 'default', name: 'a', status: 'OK', method: 'sha1|x=1' }, 400, "Unknown checkname with codename 'sha1'"],
      ['a bad method line', { textid: 'default', name: 'a', status: '1', method: 'numerical|maxlim=lots' }, 400, 'bad cm line'],
      ['a bad tag', { textid: 'default', name: 'a', status: 'OK', tags: 'ok,not ok' }, 400, "bad tag 'not ok'"],
      ['a name over 255 characters', { textid: 'default', name: 'n'.repeat(256), status: 'OK' }, 400, 'name longer than 255 characters'],
    ];
    for (const [what, fields, status, text] of table) {
      it(`answers ${status} "${text}" to ${what} and stores nothing`, async () => {
        const before = await countChecks();
        const withSecret = what.includes('secret') || what.includes('project') ? fields : { secret: token, ...fields };
        const r = await update(withSecret);
        assert.equal(r.statusCode, status);
        assert.equal(r.body, text);
        assert.match(r.headers['content-type'] as string, /^text\/plain/);
        assert.equal(await countChecks(), before);
      });
    }

    it('answers 400 to a body that is not a form, and 415 to an unknown content type', async () => {
      const json = await f.app.inject({ method: 'POST', url: '/update', headers: { 'content-type': 'application/json' }, payload: '{"textid":"default"}' });
      assert.equal(json.statusCode, 400);
      const xml = await f.app.inject({ method: 'POST', url: '/update', headers: { 'content-type': 'application/xml' }, payload: '<x/>' });
      assert.equal(xml.statusCode, 415);
    });

    it('answers 200 "OK" and creates a heartbeat check under the okerr host with the Default policy', async () => {
      const name = fresh('hb');
      const r = await send(name, 'OK', { details: 'all+fine & dandy' });
      assert.equal(r.statusCode, 200);
      assert.equal(r.body, 'OK');
      const c = await okerrCheck(name);
      assert.ok(c);
      assert.deepEqual([c.source, c.state, c.info, c.periodS, c.patienceS, c.hostName], ['okerr', 'OK', 'all+fine & dandy', 3600, 1200, 'okerr']);
      assert.equal(c.deadlineAt, f.clock.t + (3600 + 1200) * 1000);
    });
  });

  describe('methods and state changes', () => {
    it('heartbeat: ERR after OK writes a flip with the details', async () => {
      const name = fresh('hb');
      await send(name, 'OK');
      f.clock.t += 1000;
      assert.equal((await send(name, 'ERR', { details: 'backup failed' })).statusCode, 200);
      const c = (await okerrCheck(name))!;
      assert.deepEqual([c.state, c.info], ['ERR', 'backup failed']);
      const flips = await f.store.history.flips({ checkId: c.id, limit: 10 });
      assert.deepEqual(flips.items.map((x) => [x.oldState, x.newState, x.reason, x.info]), [['OK', 'ERR', 'reported', 'backup failed']]);
    });

    const sequences: [string, string, [string, 'OK' | 'ERR'][]][] = [
      ['numerical maxlim', 'numerical|maxlim=37', [['36.6', 'OK'], ['38', 'ERR'], ['37', 'OK']]],
      ['numerical minlim with a K suffix', 'numerical|minlim=1K', [['2048', 'OK'], ['1000', 'ERR'], ['1k', 'OK']]],
      ['numerical maxlim with M and G suffixes', 'numerical|maxlim=1G', [['1023M', 'OK'], ['2G', 'ERR']]],
      ['numerical diffmax (absolute) against the previous value', 'numerical|diffmax=10', [['10', 'OK'], ['15', 'OK'], ['30', 'ERR'], ['31', 'OK']]],
      ['numerical diffmin in percent', 'numerical|diffmin=-50%', [['100', 'OK'], ['60', 'OK'], ['20', 'ERR']]],
      ['numerical with a value that is not a number', 'numerical|maxlim=5', [['1', 'OK'], ['many', 'ERR'], ['2', 'OK']]],
      ['string dynamic: a change is an error', 'string|options=dynamic', [['v1', 'OK'], ['v1', 'OK'], ['v2', 'ERR'], ['v2', 'OK']]],
      ['string empty_err', 'string|options=empty_err', [['text', 'OK'], ['', 'ERR']]],
      ['string empty_ok', 'string|options=empty_ok', [['', 'OK']]],
    ];
    for (const [what, method, steps] of sequences) {
      it(`${what}: ${steps.map(([v, s]) => `${JSON.stringify(v)}→${s}`).join(', ')}`, async () => {
        const name = fresh('m');
        for (const [value, state] of steps) {
          f.clock.t += 1000;
          const r = await send(name, value, { method });
          assert.equal(r.statusCode, 200, r.body);
          assert.equal((await okerrCheck(name))?.state, state, `after ${value}`);
        }
      });
    }

    it('keeps the method of the indicator when later updates do not send one', async () => {
      const name = fresh('keep');
      await send(name, '5', { method: 'numerical|maxlim=10' });
      f.clock.t += 1000;
      await send(name, '50');
      const c = (await okerrCheck(name))!;
      assert.equal(c.state, 'ERR');
      assert.match(c.info, /maxlim/);
      const rec = await repo.getIndicator(projectId, name);
      assert.deepEqual([rec?.method, rec?.previous], ['numerical|maxlim=10', '50']);
    });

    it('an error field makes the indicator ERR with the error text', async () => {
      const name = fresh('err');
      await send(name, '1', { method: 'numerical', error: 'df: /backup: no such file' });
      const c = (await okerrCheck(name))!;
      assert.deepEqual([c.state, c.info], ['ERR', 'error: df: /backup: no such file']);
    });
  });

  describe('policies', () => {
    it('Daily sets period 86400 s and patience 7200 s, and is kept by later updates', async () => {
      const name = fresh('daily');
      await send(name, 'OK', { policy: 'Daily' });
      f.clock.t += 1000;
      await send(name, 'OK');
      const c = (await okerrCheck(name))!;
      assert.deepEqual([c.periodS, c.patienceS, c.deadlineAt], [86400, 7200, f.clock.t + (86400 + 7200) * 1000]);
    });

    it('an unknown policy answers 400 and stores nothing; a project policy is accepted', async () => {
      const name = fresh('pol');
      const r = await send(name, 'OK', { policy: 'Hourly' });
      assert.deepEqual([r.statusCode, r.body], [400, "Unknown policy 'Hourly'"]);
      assert.equal(await okerrCheck(name), null);
      await repo.setSettings(projectId, { policies: { Hourly: { periodS: 3600, patienceS: 60 } } }, f.clock.now());
      assert.equal((await send(name, 'OK', { policy: 'Hourly' })).statusCode, 200);
      assert.deepEqual([(await okerrCheck(name))?.periodS, (await okerrCheck(name))?.patienceS], [3600, 60]);
      await repo.setSettings(projectId, { policies: {} }, f.clock.now());
    });
  });

  describe('project settings', () => {
    it('with autocreate off, a new indicator is refused but an existing one still updates', async () => {
      const existing = fresh('old');
      await send(existing, 'OK');
      await repo.setSettings(projectId, { autocreate: false }, f.clock.now());
      try {
        const name = fresh('new');
        const r = await send(name, 'OK');
        assert.equal(r.statusCode, 400);
        assert.match(r.body, /^Cannot create indicator 'new:\d+' in project 'default': autocreate off$/);
        assert.equal(await okerrCheck(name), null);
        assert.equal((await send(existing, 'ERR')).statusCode, 200);
        assert.equal((await okerrCheck(existing))?.state, 'ERR');
      } finally {
        await repo.setSettings(projectId, { autocreate: true }, f.clock.now());
      }
    });

    it('an own okerr secret replaces the ingest token, stored hashed', async () => {
      const secret = await hashHostKey('MySecret1');
      await repo.setSettings(projectId, { secret }, f.clock.now());
      try {
        const row = f.store.db.prepare('SELECT secret_hash FROM okerr_settings WHERE project_id = ?').get(projectId) as { secret_hash: string };
        assert.notEqual(row.secret_hash, 'MySecret1');
        const name = fresh('sec');
        assert.deepEqual([(await send(name, 'OK')).body], ['Bad secret']);
        const ok = await update({ textid: 'default', secret: 'MySecret1', name, status: 'OK' });
        assert.deepEqual([ok.statusCode, ok.body], [200, 'OK']);
        const again = await update({ textid: 'default', secret: 'MySecret1', name, status: 'OK' });
        assert.equal(again.statusCode, 200, 'verified again from the cache');
        assert.equal((await update({ textid: 'default', secret: 'MySecret2', name, status: 'OK' })).body, 'Bad secret');
      } finally {
        await repo.setSettings(projectId, { secret: null }, f.clock.now());
      }
    });
  });

  it('concurrent updates of one indicator are applied one after another (diff against each previous value)', async () => {
    const name = fresh('race');
    await send(name, '0', { method: 'numerical|diffmax=1' });
    const answers = await Promise.all(['1', '2', '3', '4'].map((v) => send(name, v)));
    assert.deepEqual(answers.map((a) => a.statusCode), [200, 200, 200, 200]);
    const c = (await okerrCheck(name))!;
    assert.equal(c.state, 'OK', 'each step was +1 from the value before it');
    assert.equal((await repo.getIndicator(projectId, name))?.previous, '4');
  });

  it('fuzz: random form bodies always get 200/400/404 and store a whole indicator or nothing', async () => {
    const key = fc.constantFrom('textid', 'name', 'status', 'method', 'policy', 'tags', 'details', 'secret', 'error', 'desc', 'x');
    const value = fc.oneof(
      fc.string({ maxLength: 12 }), fc.constantFrom('default', 'OK', 'ERR', 'Daily', 'numerical|maxlim=3', 'string|options=dynamic', '1K'),
      fc.double().map(String),
    );
    const body = fc.oneof(
      fc.dictionary(key, value).map((d) => new URLSearchParams({ ...d, ...(d.secret === 'default' ? { secret: token } : {}) }).toString()),
      fc.string({ maxLength: 60 }),
    );
    await fc.assert(fc.asyncProperty(body, async (payload) => {
      const before = await countChecks();
      const r = await f.app.inject({ method: 'POST', url: '/update', headers: FORM, payload });
      assert.ok([200, 400, 404].includes(r.statusCode), `status ${r.statusCode} for ${JSON.stringify(payload)}: ${r.body}`);
      if (r.statusCode !== 200) {
        assert.equal(await countChecks(), before);
        return;
      }
      const name = new URLSearchParams(payload).get('name')!;
      const c = await okerrCheck(name);
      assert.ok(c && (c.state === 'OK' || c.state === 'ERR'));
      assert.ok(await repo.getIndicator(projectId, name));
    }), { numRuns: 300 });
  });
});
