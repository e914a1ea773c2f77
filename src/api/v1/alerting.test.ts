// The alerting API through the whole app (buildApp with `alerting`), over a real SQLite store and alert
// store, with a real engine sending to real local HTTP receivers. The clock is moved by hand.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { AlertAdmin, AlertEngine, DEFAULT_ALERT_SETTINGS, type AlertLogger } from '../../alert/index.js';
import type { CheckState, Role } from '../../domain/types.js';
import { startHttpReceiver, type HttpReceiver } from '../../notify/testing.js';
import { buildApp } from '../../server/app.js';
import { createSelfMetrics } from '../../server/self-metrics.js';
import { openSqliteAlertStore } from '../../store/sqlite/alerting.js';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/index.js';
import { addUser, login } from '../../users/test-support/session.js';
import { createToken } from '../auth.js';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const quiet: AlertLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
interface Answer { status: number; body: Record<string, unknown> }

interface World {
  app: FastifyInstance;
  store: SqliteStore;
  engine: AlertEngine;
  clock: { t: number; now(): number };
  rx: HttpReceiver;
  tokens: Record<Role, string>;
  /** An editor and a viewer limited to project "other". */
  other: { editor: string; viewer: string; projectId: number };
  defaultProjectId: number;
  call(method: Method, url: string, token: string | null, body?: unknown): Promise<Answer>;
  /** Reports `state` for host/check in a project at the clock's time; returns the check id. */
  report(projectId: number, host: string, check: string, state: CheckState): Promise<number>;
  close(): Promise<void>;
}

async function makeWorld(): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-alerting-api-'));
  const store = await openSqliteStore({ path: join(dir, 'oversee.db'), synchronous: 'NORMAL' });
  const alertStore = openSqliteAlertStore(store);
  const clock = { t: T0, now(): number { return clock.t; } };
  const admin = new AlertAdmin({ store, alertStore, clock, reminderIntervalMs: 600_000 });
  const engine = new AlertEngine({ store, alertStore, clock, logger: quiet, random: () => 1, settings: { ...DEFAULT_ALERT_SETTINGS, groupWindowMs: 0 } });
  const app = await buildApp({ store, metrics: createSelfMetrics(), clock, logger: false, bodyLimit: 1024 * 1024, webRoot: null, alerting: { admin, engine } });
  await app.ready();
  const rx = await startHttpReceiver();
  const token = async (role: Role, projectId: number | null): Promise<string> =>
    (await createToken(store, { name: `${role}-${String(projectId)}`, role, projectId }, clock)).token;
  const def = await store.projects.getByName('default');
  assert.ok(def);
  const otherProject = await store.projects.create('other', T0);
  const hosts = new Map<string, number>();
  return {
    app, store, engine, clock, rx, defaultProjectId: def.id,
    tokens: { viewer: await token('viewer', null), editor: await token('editor', null), admin: await token('admin', null) },
    other: { editor: await token('editor', otherProject.id), viewer: await token('viewer', otherProject.id), projectId: otherProject.id },
    async call(method, url, tok, body) {
      const headers: Record<string, string> = tok === null ? {} : { authorization: `Bearer ${tok}` };
      const res = await app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });
      return { status: res.statusCode, body: res.body === '' ? {} : (JSON.parse(res.body) as Record<string, unknown>) };
    },
    async report(projectId, host, check, state) {
      const key = `${projectId}/${host}`;
      let hostId = hosts.get(key);
      if (hostId === undefined) {
        hostId = (await store.hosts.register(projectId, host, null, clock.t)).id;
        hosts.set(key, hostId);
      }
      const [out] = await store.ingest.reportStates({ hostId, at: clock.t, address: null, source: 'api', services: [{ name: check, state, info: `${check} is ${state}`, periodS: null }] });
      assert.ok(out);
      return out.checkId;
    },
    async close() {
      await engine.stop();
      await app.close();
      await rx.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const code = (a: Answer): unknown => (a.body.error as { code?: unknown } | undefined)?.code;
const message = (a: Answer): string => String((a.body.error as { message?: unknown } | undefined)?.message ?? '');
const items = <T = Record<string, unknown>>(a: Answer): T[] => a.body.items as T[];

describe('alerting API: authentication and roles', () => {
  let w: World;
  before(async () => { w = await makeWorld(); });
  after(async () => w.close());

  const routes: Array<[Method, string]> = [
    ['GET', '/channels'], ['POST', '/channels'], ['GET', '/channels/x'], ['PUT', '/channels/x'], ['DELETE', '/channels/x'],
    ['POST', '/channels/x/enable'], ['POST', '/channels/x/disable'], ['POST', '/channels/x/test'],
    ['GET', '/routes'], ['POST', '/routes'], ['GET', '/routes/x'], ['PUT', '/routes/x'], ['DELETE', '/routes/x'],
    ['GET', '/silences'], ['POST', '/silences'], ['DELETE', '/silences/1'],
    ['POST', '/checks/1/ack'], ['DELETE', '/checks/1/ack'], ['PUT', '/checks/1/reduction'],
    ['GET', '/events'], ['GET', '/notifications'],
  ];
  for (const [method, path] of routes) {
    test(`${method} ${path} answers 401 OVS_ERR_UNAUTHORIZED without a token`, async () => {
      const res = await w.call(method, `/api/v1${path}`, null, method === 'GET' || method === 'DELETE' ? undefined : {});
      assert.equal(res.status, 401);
      assert.equal(code(res), 'OVS_ERR_UNAUTHORIZED');
    });
  }

  const writes: Array<[Method, string, unknown]> = [
    ['POST', '/channels', { name: 'c', type: 'webhook', url: 'http://127.0.0.1:9/' }], ['PUT', '/channels/x', { type: 'webhook', url: 'http://x/' }],
    ['DELETE', '/channels/x', undefined], ['POST', '/channels/x/disable', undefined], ['POST', '/channels/x/test', undefined],
    ['POST', '/routes', { name: 'r', channels: ['c'] }], ['DELETE', '/routes/x', undefined],
    ['POST', '/silences', { duration_s: 60 }], ['DELETE', '/silences/1', undefined],
    ['POST', '/checks/1/ack', {}], ['DELETE', '/checks/1/ack', undefined], ['PUT', '/checks/1/reduction', { reduction_s: 5 }],
  ];
  for (const [method, path, body] of writes) {
    test(`a viewer gets 403 OVS_ERR_FORBIDDEN for ${method} ${path}`, async () => {
      const res = await w.call(method, `/api/v1${path}`, w.tokens.viewer, body);
      assert.equal(res.status, 403, JSON.stringify(res.body));
      assert.equal(code(res), 'OVS_ERR_FORBIDDEN');
      if (body !== undefined) {
        const invalid = await w.call(method, `/api/v1${path}`, w.tokens.viewer, { nonsense: true });
        assert.equal(invalid.status, 403, 'the role is checked before the body');
      }
    });
  }

  const reads = ['/channels', '/routes', '/silences', '/events', '/notifications'];
  for (const path of reads) {
    test(`a viewer reads GET ${path}`, async () => {
      const res = await w.call('GET', `/api/v1${path}`, w.tokens.viewer);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(Array.isArray(res.body.items));
    });
  }

  const sharedByAllProjects: Array<[Method, string, unknown]> = [
    ['POST', '/channels', { name: 'c', type: 'webhook', url: 'http://127.0.0.1:9/' }],
    ['POST', '/routes', { name: 'r', channels: ['c'] }],
    ['GET', '/notifications', undefined],
  ];
  for (const [method, path, body] of sharedByAllProjects) {
    test(`an editor limited to one project gets 403 for ${method} ${path} (shared by every project)`, async () => {
      const res = await w.call(method, `/api/v1${path}`, w.other.editor, body);
      assert.equal(res.status, 403);
      assert.match(message(res), /shared by every project/);
    });
  }
});

describe('alerting API: channels and routes', () => {
  let w: World;
  before(async () => { w = await makeWorld(); });
  after(async () => w.close());

  test('creates, reads (secret and header values redacted), replaces, disables, enables and deletes a channel', async () => {
    const created = await w.call('POST', '/api/v1/channels', w.tokens.editor, {
      name: 'ops', type: 'webhook', url: w.rx.url, secret: 's3cret', headers: { Authorization: 'Bearer hidden' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    for (const res of [created, await w.call('GET', '/api/v1/channels/ops', w.tokens.viewer)]) {
      assert.equal(JSON.stringify(res.body).includes('s3cret'), false);
      assert.equal(JSON.stringify(res.body).includes('hidden'), false);
      assert.deepEqual((res.body.config as Record<string, unknown>).headers, { Authorization: '***' });
    }
    const list = await w.call('GET', '/api/v1/channels', w.tokens.viewer);
    assert.deepEqual(items(list).map((c) => [c.name, c.type, c.enabled, c.origin]), [['ops', 'webhook', true, 'api']]);
    assert.equal(JSON.stringify(list.body).includes('s3cret'), false);

    const replaced = await w.call('PUT', '/api/v1/channels/ops', w.tokens.editor, { type: 'webhook', url: 'http://127.0.0.1:9/other' });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    assert.equal((replaced.body.config as Record<string, unknown>).url, 'http://127.0.0.1:9/other');

    const disabled = await w.call('POST', '/api/v1/channels/ops/disable', w.tokens.editor);
    assert.deepEqual([disabled.body.enabled, disabled.body.disabledReason], [false, 'disabled by hand']);
    const enabled = await w.call('POST', '/api/v1/channels/ops/enable', w.tokens.editor);
    assert.deepEqual([enabled.body.enabled, enabled.body.disabledReason], [true, null]);

    assert.equal((await w.call('POST', '/api/v1/channels', w.tokens.editor, { name: 'ops', type: 'webhook', url: w.rx.url })).status, 409);
    assert.equal((await w.call('DELETE', '/api/v1/channels/ops', w.tokens.editor)).status, 204);
    const gone = await w.call('GET', '/api/v1/channels/ops', w.tokens.viewer);
    assert.deepEqual([gone.status, code(gone)], [404, 'OVS_ERR_NOT_FOUND']);
  });

  const invalid: Array<[string, Method, string, unknown, string]> = [
    ['an unknown field', 'POST', '/channels', { name: 'a', type: 'webhook', url: 'http://x/', urll: 'http://y/' }, 'urll'],
    ['an unknown type', 'POST', '/channels', { name: 'a', type: 'pigeon' }, 'type'],
    ['a missing name', 'POST', '/channels', { type: 'webhook', url: 'http://x/' }, 'name'],
    ['a webhook without url', 'POST', '/channels', { name: 'a', type: 'webhook' }, 'url'],
    ['a bad email address', 'POST', '/channels', { name: 'm', type: 'email', host: 'h', from: 'a@b.c', to: ['bad'] }, 'to[0]'],
    ['a field of another channel type', 'POST', '/channels', { name: 'a', type: 'webhook', url: 'http://x/', command: '/bin/true' }, 'command'],
    ['a wrongly typed port', 'POST', '/channels', { name: 'm', type: 'email', host: 'h', from: 'a@b.c', to: ['x@y.z'], port: 'smtp' }, 'port'],
    ['a route naming a missing channel', 'POST', '/routes', { name: 'r', channels: ['nope'] }, 'channels[0]'],
    ['a route without channels', 'POST', '/routes', { name: 'r' }, 'channels'],
    ['a route with a bad state', 'POST', '/routes', { name: 'r', states: ['BAD'], channels: ['hook'] }, 'states[0]'],
    ['a route with a bad kind', 'POST', '/routes', { name: 'r', kinds: ['boom'], channels: ['hook'] }, 'kinds[0]'],
  ];
  for (const [what, method, path, body, field] of invalid) {
    test(`refuses ${what} with OVS_ERR_VALIDATION naming ${field}`, async () => {
      await w.call('POST', '/api/v1/channels', w.tokens.editor, { name: 'hook', type: 'webhook', url: w.rx.url });
      const res = await w.call(method, `/api/v1${path}`, w.tokens.editor, body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(code(res), 'OVS_ERR_VALIDATION');
      assert.ok(message(res).startsWith(`${field}: `), message(res));
    });
  }

  test('routes: create, read, replace, refuse a second default, refuse deleting a channel in use, delete', async () => {
    await w.call('POST', '/api/v1/channels', w.tokens.editor, { name: 'pager', type: 'webhook', url: w.rx.url });
    const created = await w.call('POST', '/api/v1/routes', w.tokens.editor, { name: 'db', hosts: ['db-*'], states: ['ERR'], channels: ['pager'] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual([created.body.hosts, created.body.states, created.body.origin], [['db-*'], ['ERR'], 'api']);
    assert.equal((await w.call('POST', '/api/v1/routes', w.tokens.editor, { name: 'rest', default: true, channels: ['pager'] })).status, 201);
    const second = await w.call('POST', '/api/v1/routes', w.tokens.editor, { name: 'rest2', default: true, channels: ['pager'] });
    assert.deepEqual([second.status, message(second).split(':')[0]], [400, 'default']);
    const replaced = await w.call('PUT', '/api/v1/routes/db', w.tokens.editor, { states: ['ERR', 'WARN'], channels: ['pager'] });
    assert.deepEqual(replaced.body.states, ['ERR', 'WARN']);
    assert.deepEqual((await w.call('GET', '/api/v1/routes/db', w.tokens.viewer)).body.states, ['ERR', 'WARN']);
    assert.deepEqual(items(await w.call('GET', '/api/v1/routes', w.tokens.viewer)).map((r) => r.name), ['db', 'rest']);
    const inUse = await w.call('DELETE', '/api/v1/channels/pager', w.tokens.editor);
    assert.deepEqual([inUse.status, code(inUse)], [409, 'OVS_ERR_CONFLICT']);
    assert.equal((await w.call('DELETE', '/api/v1/routes/db', w.tokens.editor)).status, 204);
    assert.equal((await w.call('DELETE', '/api/v1/routes/rest', w.tokens.editor)).status, 204);
    assert.equal((await w.call('DELETE', '/api/v1/routes/rest', w.tokens.editor)).status, 404);
    assert.equal((await w.call('GET', '/api/v1/routes/db', w.tokens.viewer)).status, 404);
    assert.equal((await w.call('DELETE', '/api/v1/channels/pager', w.tokens.editor)).status, 204);
  });

  test('a channel test sends a signed message to a real webhook receiver', async () => {
    await w.call('POST', '/api/v1/channels', w.tokens.editor, { name: 'signed', type: 'webhook', url: w.rx.url, secret: 'k3y' });
    const before = w.rx.requests.length;
    const res = await w.call('POST', '/api/v1/channels/signed/test', w.tokens.editor);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { ok: true, error: null, permanent: false });
    const got = w.rx.requests[before];
    assert.ok(got);
    const body = JSON.parse(got.body) as { subject: string; events: Array<{ kind: string }> };
    assert.equal(body.subject, 'Test message for channel signed');
    assert.equal(body.events[0]?.kind, 'test');
    assert.equal(got.headers['x-oversee-signature'], `sha256=${createHmac('sha256', 'k3y').update(got.body).digest('hex')}`);
  });

  test('a channel test reports a failing receiver (404 is permanent) and 404s for an unknown channel', async () => {
    const failing = await startHttpReceiver();
    try {
      failing.respond(404);
      await w.call('POST', '/api/v1/channels', w.tokens.editor, { name: 'broken', type: 'webhook', url: failing.url });
      const res = await w.call('POST', '/api/v1/channels/broken/test', w.tokens.editor);
      assert.equal(res.status, 200);
      assert.deepEqual([res.body.ok, res.body.permanent], [false, true]);
      assert.match(String(res.body.error), /404/);
      assert.equal(failing.requests.length, 1);
    } finally {
      await failing.close();
    }
    const unknown = await w.call('POST', '/api/v1/channels/nope/test', w.tokens.editor);
    assert.deepEqual([unknown.status, code(unknown)], [404, 'OVS_ERR_NOT_FOUND']);
  });
});

describe('alerting API: silences, acknowledgement, reduction', () => {
  let w: World;
  before(async () => { w = await makeWorld(); });
  after(async () => w.close());

  test('adds a silence starting now for its duration, lists it, removes it', async () => {
    const added = await w.call('POST', '/api/v1/silences', w.tokens.editor, { host: 'db-*', check: 'backup', duration_s: 3600, comment: 'upgrade' });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.deepEqual([added.body.startsAt, added.body.endsAt, added.body.createdBy, added.body.origin], [T0, T0 + 3_600_000, 'editor-null', 'api']);
    const withTimes = await w.call('POST', '/api/v1/silences', w.tokens.editor, {
      host: 'web*', starts: '2026-01-05T22:00:00Z', ends: '2026-01-05T23:30:00Z', recurrence: 'daily',
    });
    assert.equal(withTimes.status, 201, JSON.stringify(withTimes.body));
    assert.deepEqual([withTimes.body.startsAt, withTimes.body.recurrence], [Date.UTC(2026, 0, 5, 22), 'daily']);
    assert.deepEqual(items(await w.call('GET', '/api/v1/silences', w.tokens.viewer)).map((s) => s.host), ['db-*', 'web*']);
    assert.equal((await w.call('DELETE', `/api/v1/silences/${String(added.body.id)}`, w.tokens.editor)).status, 204);
    assert.equal((await w.call('DELETE', `/api/v1/silences/${String(added.body.id)}`, w.tokens.editor)).status, 404);
    assert.deepEqual(items(await w.call('GET', '/api/v1/silences', w.tokens.viewer)).map((s) => s.host), ['web*']);
  });

  test('lists expired silences only with includeExpired=true', async () => {
    await w.call('POST', '/api/v1/silences', w.tokens.editor, { host: 'old', starts: T0 - 7_200_000, duration_s: 60 });
    const hosts = async (q: string): Promise<unknown[]> => items(await w.call('GET', `/api/v1/silences${q}`, w.tokens.viewer)).map((s) => s.host);
    assert.equal((await hosts('')).includes('old'), false);
    assert.equal((await hosts('?includeExpired=true')).includes('old'), true);
  });

  const badSilences: Array<[unknown, string]> = [
    [{ host: 'x', duration_s: 60, recurrence: 'monthly' }, 'recurrence'],
    [{ host: 'x' }, 'ends'],
    [{ host: 'x', starts: 'yesterday', duration_s: 60 }, 'starts'],
    [{ host: 'x', starts: T0, ends: T0 - 1 }, 'ends'],
    [{ host: 'x', duration_s: 60, reason: 'typo' }, 'reason'],
    [{ host: 'x', duration_s: 60, project: 'nope' }, 'project'],
  ];
  for (const [body, field] of badSilences) {
    test(`refuses the silence ${JSON.stringify(body)} naming ${field}`, async () => {
      const res = await w.call('POST', '/api/v1/silences', w.tokens.editor, body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.ok(message(res).startsWith(`${field}: `), message(res));
    });
  }

  test("a project's editor silences only its own project and removes only its own silences", async () => {
    const global = await w.call('POST', '/api/v1/silences', w.tokens.editor, { host: 'g', duration_s: 600 });
    const elsewhere = await w.call('POST', '/api/v1/silences', w.tokens.editor, { host: 'd', project: 'default', duration_s: 600 });
    const mine = await w.call('POST', '/api/v1/silences', w.other.editor, { host: 'o', duration_s: 600 });
    assert.equal(mine.status, 201);
    assert.equal(mine.body.project, 'other');
    const foreign = await w.call('POST', '/api/v1/silences', w.other.editor, { host: 'o', project: 'default', duration_s: 600 });
    assert.deepEqual([foreign.status, code(foreign)], [403, 'OVS_ERR_FORBIDDEN']);
    const seen = items(await w.call('GET', '/api/v1/silences', w.other.viewer)).map((s) => s.host);
    assert.deepEqual(seen.includes('g') && seen.includes('o') && !seen.includes('d'), true, JSON.stringify(seen));
    assert.equal((await w.call('DELETE', `/api/v1/silences/${String(elsewhere.body.id)}`, w.other.editor)).status, 404);
    assert.equal((await w.call('DELETE', `/api/v1/silences/${String(global.body.id)}`, w.other.editor)).status, 403);
    assert.equal((await w.call('DELETE', `/api/v1/silences/${String(mine.body.id)}`, w.other.editor)).status, 204);
  });

  test('acknowledges a problem with a comment, refuses an OK check, removes the acknowledgement', async () => {
    const bad = await w.report(w.defaultProjectId, 'web1', 'disk', 'ERR');
    const good = await w.report(w.defaultProjectId, 'web1', 'load', 'OK');
    const acked = await w.call('POST', `/api/v1/checks/${bad}/ack`, w.tokens.editor, { comment: 'on it' });
    assert.equal(acked.status, 200, JSON.stringify(acked.body));
    assert.deepEqual([acked.body.ackedAt, acked.body.ackedBy, acked.body.ackComment], [T0, 'editor-null', 'on it']);
    const noBody = await w.call('POST', `/api/v1/checks/${bad}/ack`, w.tokens.editor);
    assert.deepEqual([noBody.status, noBody.body.ackComment], [200, '']);
    const ok = await w.call('POST', `/api/v1/checks/${good}/ack`, w.tokens.editor, {});
    assert.deepEqual([ok.status, code(ok)], [409, 'OVS_ERR_CONFLICT']);
    const un = await w.call('DELETE', `/api/v1/checks/${bad}/ack`, w.tokens.editor);
    assert.deepEqual([un.status, un.body.ackedAt, un.body.nextReminderAt], [200, null, T0 + 600_000]);
    const unknown = await w.call('POST', '/api/v1/checks/999999/ack', w.tokens.editor, {});
    assert.equal(unknown.status, 404);
    const bodyTypo = await w.call('POST', `/api/v1/checks/${bad}/ack`, w.tokens.editor, { coment: 'x' });
    assert.deepEqual([bodyTypo.status, message(bodyTypo)], [400, 'coment: is not a known field']);
  });

  test('a dashboard session acts with its user\'s role and name (the app passes the session principal)', async () => {
    const id = await w.report(w.defaultProjectId, 'web4', 'disk', 'ERR');
    await addUser(w.store, 'ed', 'editor');
    await addUser(w.store, 'vic', 'viewer');
    const ed = await login(w.app, 'ed');
    const vic = await login(w.app, 'vic');
    const denied = await vic.inject({ method: 'POST', url: `/api/v1/checks/${id}/ack`, payload: {} });
    assert.equal(denied.statusCode, 403);
    const acked = await ed.inject({ method: 'POST', url: `/api/v1/checks/${id}/ack`, payload: {} });
    assert.equal(acked.statusCode, 200, acked.body);
    assert.equal((acked.json() as { ackedBy: string }).ackedBy, 'user:ed');
    const silence = await ed.inject({ method: 'POST', url: '/api/v1/silences', payload: { host: 'web4', duration_s: 60 } });
    assert.equal((silence.json() as { createdBy: string }).createdBy, 'user:ed');
  });

  test("a check of another project answers 404 to a project's editor", async () => {
    const foreign = await w.report(w.defaultProjectId, 'web2', 'disk', 'ERR');
    const own = await w.report(w.other.projectId, 'o1', 'disk', 'ERR');
    for (const [method, path, body] of [['POST', 'ack', {}], ['DELETE', 'ack', undefined], ['PUT', 'reduction', { reduction_s: 5 }]] as const) {
      const res = await w.call(method, `/api/v1/checks/${foreign}/${path}`, w.other.editor, body);
      assert.equal(res.status, 404, `${method} ${path}`);
    }
    assert.equal((await w.call('POST', `/api/v1/checks/${own}/ack`, w.other.editor, {})).status, 200);
  });

  test("sets and clears a check's reduction delay; refuses out-of-range values naming reduction_s", async () => {
    const id = await w.report(w.defaultProjectId, 'web3', 'x', 'OK');
    assert.equal((await w.call('PUT', `/api/v1/checks/${id}/reduction`, w.tokens.editor, { reduction_s: 120 })).body.reductionMs, 120_000);
    assert.equal((await w.call('PUT', `/api/v1/checks/${id}/reduction`, w.tokens.editor, { reduction_s: null })).body.reductionMs, null);
    for (const body of [{ reduction_s: -1 }, { reduction_s: 86_401 }, {}]) {
      const res = await w.call('PUT', `/api/v1/checks/${id}/reduction`, w.tokens.editor, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(message(res).startsWith('reduction_s: '), message(res));
    }
  });
});

describe('alerting API: the alert feed and the delivery log', () => {
  let w: World;
  let disk: number;
  before(async () => {
    w = await makeWorld();
    await w.call('POST', '/api/v1/channels', w.tokens.editor, { name: 'hook', type: 'webhook', url: w.rx.url });
    await w.call('POST', '/api/v1/silences', w.tokens.editor, { host: 'quiet', duration_s: 3600 });
    disk = await w.report(w.defaultProjectId, 'web1', 'disk', 'ERR');
    w.clock.t += 1000;
    await w.report(w.defaultProjectId, 'web1', 'disk', 'OK');
    w.clock.t += 1000;
    await w.report(w.defaultProjectId, 'quiet', 'disk', 'ERR');
    w.clock.t += 1000;
    await w.report(w.other.projectId, 'o1', 'disk', 'WARN');
    await w.engine.tick();
    await w.engine.drain();
    await w.rx.waitFor(3);
  });
  after(async () => w.close());

  const titles = async (query: string, token?: string): Promise<unknown[]> => {
    const res = await w.call('GET', `/api/v1/events${query}`, token ?? w.tokens.viewer);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return items<{ event: { title: string } }>(res).map((e) => e.event.title);
  };

  test('lists every event newest first with what became of it', async () => {
    const res = await w.call('GET', '/api/v1/events', w.tokens.viewer);
    assert.deepEqual(items<{ status: string; event: { title: string } }>(res).map((e) => [e.event.title, e.status]), [
      ['o1/disk: OK -> WARN', 'routed'], ['quiet/disk: OK -> ERR', 'silenced'], ['web1/disk: ERR -> OK', 'routed'], ['web1/disk: OK -> ERR', 'routed'],
    ]);
  });

  const filters: Array<[string, () => string, string[]]> = [
    ['status', () => '?status=silenced', ['quiet/disk: OK -> ERR']],
    ['check', () => `?check=${disk}`, ['web1/disk: ERR -> OK', 'web1/disk: OK -> ERR']],
    ['project', () => '?project=other', ['o1/disk: OK -> WARN']],
    ['time range', () => `?from=${T0 + 1000}&to=${T0 + 2000}`, ['quiet/disk: OK -> ERR', 'web1/disk: ERR -> OK']],
  ];
  for (const [what, query, expected] of filters) {
    test(`filters by ${what}`, async () => {
      assert.deepEqual(await titles(query()), expected);
    });
  }

  test('pages with limit and nextCursor without losing or repeating an event', async () => {
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const res = await w.call('GET', `/api/v1/events?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, w.tokens.viewer);
      seen.push(...items<{ id: number }>(res).map((e) => e.id));
      cursor = res.body.nextCursor as string | null;
    } while (cursor !== null);
    assert.equal(seen.length, 4);
    assert.equal(new Set(seen).size, 4);
  });

  test("a token limited to a project reads only that project's events", async () => {
    assert.deepEqual(await titles('', w.other.viewer), ['o1/disk: OK -> WARN']);
    const foreignCheck = await w.call('GET', `/api/v1/events?check=${disk}`, w.other.viewer);
    assert.equal(foreignCheck.status, 404);
    const foreignProject = await w.call('GET', '/api/v1/events?project=default', w.other.viewer);
    assert.equal(foreignProject.status, 403);
  });

  const badQueries: Array<[string, string]> = [['?status=lost', 'status'], ['?sate=ERR', 'sate'], ['?limit=0', 'limit'], ['?check=abc', 'check']];
  for (const [query, field] of badQueries) {
    test(`refuses ${query} naming ${field}`, async () => {
      const res = await w.call('GET', `/api/v1/events${query}`, w.tokens.viewer);
      assert.equal(res.status, 400);
      assert.ok(message(res).startsWith(`${field}: `), message(res));
    });
  }

  test('lists delivery attempts, filtered by channel and by event', async () => {
    const res = await w.call('GET', '/api/v1/notifications', w.tokens.viewer);
    const attempts = items<{ channel: string; status: string; eventId: number; attempt: number }>(res);
    assert.equal(attempts.length, 3);
    assert.ok(attempts.every((a) => a.channel === 'hook' && a.status === 'ok' && a.attempt === 1));
    const one = attempts[0];
    assert.ok(one);
    assert.equal(items(await w.call('GET', `/api/v1/notifications?event=${one.eventId}`, w.tokens.viewer)).length, 1);
    assert.equal(items(await w.call('GET', '/api/v1/notifications?channel=other', w.tokens.viewer)).length, 0);
  });
});

describe('alerting API: without an engine', () => {
  test('serves everything but the channel test', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oversee-alerting-api-'));
    const store = await openSqliteStore({ path: join(dir, 'oversee.db'), synchronous: 'NORMAL' });
    try {
      const clock = { now: () => T0 };
      const admin = new AlertAdmin({ store, alertStore: openSqliteAlertStore(store), clock });
      const app = await buildApp({ store, metrics: createSelfMetrics(), clock, logger: false, bodyLimit: 65_536, webRoot: null, alerting: { admin, engine: null } });
      const token = (await createToken(store, { name: 'e', role: 'editor', projectId: null }, clock)).token;
      const headers = { authorization: `Bearer ${token}` };
      await app.inject({ method: 'POST', url: '/api/v1/channels', headers, payload: { name: 'c', type: 'webhook', url: 'http://127.0.0.1:9/' } });
      assert.equal((await app.inject({ method: 'GET', url: '/api/v1/channels/c', headers })).statusCode, 200);
      assert.equal((await app.inject({ method: 'POST', url: '/api/v1/channels/c/test', headers })).statusCode, 404);
      await app.close();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
