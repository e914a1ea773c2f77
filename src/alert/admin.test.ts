import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OverseeError } from '../errors.js';
import { openSqliteAlertStore } from '../store/sqlite/alerting.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/index.js';
import { AlertAdmin } from './admin.js';
import { parseAlertingConfig } from './config.js';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

const rejectsWith = async (p: Promise<unknown>, code: string, field?: string): Promise<void> => {
  await assert.rejects(p, (e: unknown) => e instanceof OverseeError && e.code === code && (field === undefined || e.details?.field === field));
};

describe('alert admin (what routes and CLI call)', () => {
  let dir: string;
  let store: SqliteStore;
  let admin: AlertAdmin;
  const clock = { now: () => T0 };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oversee-admin-'));
    store = await openSqliteStore({ path: join(dir, 'db'), synchronous: 'NORMAL' });
    admin = new AlertAdmin({ store, alertStore: openSqliteAlertStore(store), clock, reminderIntervalMs: 600_000 });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('creates, lists (secrets redacted), updates and deletes a channel', async () => {
    const created = await admin.createChannel({ name: 'ops', type: 'webhook', url: 'http://x/', secret: 'k' });
    assert.equal(created.config.secret, '***');
    assert.deepEqual((await admin.listChannels()).map((c) => [c.name, c.enabled, c.origin]), [['ops', true, 'api']]);
    await rejectsWith(admin.createChannel({ name: 'ops', type: 'webhook', url: 'http://y/' }), 'OVS_ERR_CONFLICT');
    const updated = await admin.updateChannel('ops', { type: 'webhook', url: 'http://z/' });
    assert.equal(updated.config.url, 'http://z/');
    assert.equal((await admin.setChannelEnabled('ops', false)).enabled, false);
    await admin.deleteChannel('ops');
    await rejectsWith(admin.getChannel('ops'), 'OVS_ERR_NOT_FOUND');
  });

  test('an update that sends back the redacted "***" keeps the stored secret and header values', async () => {
    await admin.createChannel({ name: 'rw', type: 'webhook', url: 'http://x/', secret: 'k1', headers: { Authorization: 'Bearer s', 'X-Team': 'ops' } });
    const read = await admin.getChannel('rw');
    assert.deepEqual(read.config.headers, { Authorization: '***', 'X-Team': '***' });
    await admin.updateChannel('rw', { type: 'webhook', url: 'http://y/', secret: read.config.secret, headers: { ...(read.config.headers as object), 'X-Team': 'dev' } });
    const stored = await openSqliteAlertStore(store).getChannel('rw');
    assert.deepEqual(stored?.config, { url: 'http://y/', headers: { Authorization: 'Bearer s', 'X-Team': 'dev' }, secret: 'k1', timeoutMs: null });
    await admin.updateChannel('rw', { type: 'webhook', url: 'http://y/', secret: 'k2' });
    assert.equal(((await openSqliteAlertStore(store).getChannel('rw'))?.config as { secret: string }).secret, 'k2');
    await admin.deleteChannel('rw');
  });

  test('rejects invalid channels naming the field', async () => {
    await rejectsWith(admin.createChannel({ name: 'm', type: 'email', host: 'h', from: 'a@b.c', to: ['bad'] }), 'OVS_ERR_VALIDATION', 'to[0]');
    await rejectsWith(admin.createChannel({ name: 'w', type: 'webhook' }), 'OVS_ERR_VALIDATION', 'url');
    await rejectsWith(admin.createChannel({ name: 'w', type: 'webhook', url: 'http://x/', enabled: 'yes' }), 'OVS_ERR_VALIDATION', 'enabled');
  });

  test('routes must name existing channels; a channel in use cannot be deleted; one default route', async () => {
    await admin.createChannel({ name: 'pager', type: 'webhook', url: 'http://p/' });
    await rejectsWith(admin.createRoute({ name: 'r', channels: ['nope'] }), 'OVS_ERR_VALIDATION', 'channels[0]');
    await admin.createRoute({ name: 'crit', states: ['ERR'], channels: ['pager'] });
    await admin.createRoute({ name: 'rest', default: true, channels: ['pager'] });
    await rejectsWith(admin.createRoute({ name: 'rest2', default: true, channels: ['pager'] }), 'OVS_ERR_VALIDATION', 'default');
    await rejectsWith(admin.deleteChannel('pager'), 'OVS_ERR_CONFLICT');
    const updated = await admin.updateRoute('crit', { states: ['ERR', 'WARN'], channels: ['pager'] });
    assert.deepEqual(updated.states, ['ERR', 'WARN']);
    await admin.deleteRoute('crit');
    await admin.deleteRoute('rest');
    await rejectsWith(admin.deleteRoute('rest'), 'OVS_ERR_NOT_FOUND');
    await admin.deleteChannel('pager');
  });

  test('silences: add (starting now by default), list without expired ones, remove', async () => {
    const s = await admin.addSilence({ host: 'db-*', duration_s: 3600, comment: 'upgrade' }, 'ann');
    assert.equal(s.startsAt, T0);
    assert.equal(s.endsAt, T0 + 3_600_000);
    assert.equal(s.createdBy, 'ann');
    await admin.addSilence({ host: 'old', starts: T0 - 7_200_000, duration_s: 60 }, 'ann');
    assert.deepEqual((await admin.listSilences()).map((x) => x.host), ['db-*']);
    assert.equal((await admin.listSilences({ includeExpired: true })).length, 2);
    await rejectsWith(admin.addSilence({ host: 'x', duration_s: 60, recurrence: 'monthly' }, 'ann'), 'OVS_ERR_VALIDATION', 'recurrence');
    await admin.removeSilence(s.id);
    await rejectsWith(admin.removeSilence(s.id), 'OVS_ERR_NOT_FOUND');
  });

  test('ack needs a check with a problem; unack resumes reminders', async () => {
    const project = await store.projects.getByName('default');
    assert.ok(project);
    const host = await store.hosts.register(project.id, 'h1', null, T0);
    const [out] = await store.ingest.reportStates({ hostId: host.id, at: T0, address: null, source: 'api', services: [{ name: 'disk', state: 'ERR', info: '', periodS: null }] });
    assert.ok(out);
    const acked = await admin.ack(out.checkId, 'ann', 'on it');
    assert.deepEqual([acked.ackedAt, acked.ackedBy, acked.ackComment, acked.nextReminderAt], [T0, 'ann', 'on it', null]);
    const un = await admin.unack(out.checkId);
    assert.deepEqual([un.ackedAt, un.nextReminderAt], [null, T0 + 600_000]);
    await rejectsWith(admin.ack(999_999, 'ann'), 'OVS_ERR_NOT_FOUND');
    await store.ingest.reportStates({ hostId: host.id, at: T0, address: null, source: 'api', services: [{ name: 'disk', state: 'OK', info: '', periodS: null }] });
    await rejectsWith(admin.ack(out.checkId, 'ann'), 'OVS_ERR_CONFLICT');
  });

  test('a check can get its own reduction delay', async () => {
    const project = await store.projects.getByName('default');
    assert.ok(project);
    const host = await store.hosts.register(project.id, 'h2', null, T0);
    const [out] = await store.ingest.reportStates({ hostId: host.id, at: T0, address: null, source: 'api', services: [{ name: 'x', state: 'OK', info: '', periodS: null }] });
    assert.ok(out);
    assert.equal((await admin.setReduction(out.checkId, 120)).reductionMs, 120_000);
    assert.equal((await admin.setReduction(out.checkId, null)).reductionMs, null);
    await rejectsWith(admin.setReduction(out.checkId, -1), 'OVS_ERR_VALIDATION', 'reduction_s');
    await rejectsWith(admin.setReduction(999_999, 5), 'OVS_ERR_NOT_FOUND');
  });

  test('applyConfig replaces config-made objects and keeps API-made ones', async () => {
    await admin.createChannel({ name: 'mine', type: 'webhook', url: 'http://m/' });
    const cfg = (names: string[]): ReturnType<typeof parseAlertingConfig> => parseAlertingConfig({
      channels: names.map((n) => ({ name: n, type: 'webhook', url: `http://${n}/` })),
      routes: [{ name: 'all', channels: names }],
      silences: [{ host: 'x', starts: T0, duration_s: 60 }],
    });
    await admin.applyConfig(cfg(['a', 'b']));
    await admin.applyConfig(cfg(['b', 'c']));
    assert.deepEqual((await admin.listChannels()).map((c) => `${c.name}:${c.origin}`), ['b:config', 'c:config', 'mine:api']);
    assert.deepEqual((await admin.listRoutes()).map((r) => r.channels), [['b', 'c']]);
    assert.equal((await admin.listSilences()).length, 1);
  });
});
