// The store contract: one suite of behaviours every Store implementation must pass.
// Call runStoreContract from each implementation's test file with a factory for fresh stores.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CheckSource } from '../domain/types.js';
import { OverseeError } from '../errors.js';
import type { Store } from './types.js';

/** A fresh, empty store and how to reopen it on the same storage (to test durability). */
export interface StoreHandle {
  store: Store;
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}

const T0 = 1_700_000_000_000;

/** Registers the contract tests for one implementation. */
export function runStoreContract(name: string, factory: () => Promise<StoreHandle>): void {
  const withStore = (fn: (h: StoreHandle) => Promise<void>) => async () => {
    const h = await factory();
    try {
      await fn(h);
    } finally {
      await h.cleanup();
    }
  };

  async function defaultHost(store: Store, name = 'web1') {
    const p = await store.projects.getByName('default');
    assert.ok(p);
    return { project: p, host: await store.hosts.register(p.id, name, { salt: 's', hash: 'h' }, T0) };
  }

  const report = (store: Store, hostId: number, at: number, services: [string, 'OK' | 'WARN' | 'ERR' | 'UNK', string?][], source: CheckSource = 'overc') =>
    store.ingest.reportStates({
      hostId, at, address: '127.0.0.1', source,
      services: services.map(([n, s, info]) => ({ name: n, state: s, info: info ?? '', periodS: 60 })),
    });

  describe(`store contract: ${name}`, () => {
    it('has a default project with a UUID ingest token from the first open', withStore(async ({ store }) => {
      const p = await store.projects.getByName('default');
      assert.ok(p);
      assert.match(p.ingestToken, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.deepEqual(await store.projects.getByIngestToken(p.ingestToken), p);
    }));

    it('never gives a new host or check the id of a deleted one (its alert events keep that id)', withStore(async ({ store, reopen }) => {
      const { project, host } = await defaultHost(store);
      const [a, b] = await report(store, host.id, T0, [['disk', 'OK'], ['load', 'ERR']]);
      assert.ok(a && b);
      // The newest check alone, then its whole host (cascading to the other check).
      assert.equal(await store.checks.delete(b.checkId), true);
      const [c] = await report(store, host.id, T0 + 1, [['mem', 'OK']]);
      assert.ok(c && c.checkId > b.checkId, `check id ${c?.checkId} after deleted ${b.checkId}`);
      assert.equal(await store.hosts.delete(host.id), true);
      const again = await store.hosts.register(project.id, 'web9', null, T0 + 2);
      assert.ok(again.id > host.id, `host id ${again.id} after deleted ${host.id}`);
      const [d] = await report(store, again.id, T0 + 3, [['app', 'OK']]);
      assert.ok(d && d.checkId > c.checkId, `check id ${d?.checkId} after cascaded ${c.checkId}`);
      // The newest host deleted, then the store reopened: nothing of this is kept in memory.
      const h2 = await store.hosts.register(project.id, 'web10', null, T0 + 4);
      assert.equal(await store.hosts.delete(h2.id), true);
      const reopened = await reopen();
      const h3 = await reopened.hosts.register(project.id, 'web11', null, T0 + 5);
      assert.ok(h3.id > h2.id, `host id ${h3.id} after deleted ${h2.id} and a reopen`);
    }));

    it('creates projects and refuses a duplicate name with a conflict', withStore(async ({ store }) => {
      const p = await store.projects.create('ops', T0);
      assert.equal((await store.projects.get(p.id))?.name, 'ops');
      await assert.rejects(store.projects.create('ops', T0), (e: unknown) => e instanceof OverseeError && e.code === 'OVS_ERR_CONFLICT');
      assert.equal((await store.projects.list()).length, 2);
    }));

    it('registers a host once: a second registration returns the first key', withStore(async ({ store }) => {
      const p = (await store.projects.getByName('default'))!;
      const a = await store.hosts.register(p.id, 'db1', { salt: 'a', hash: 'A' }, T0);
      const b = await store.hosts.register(p.id, 'db1', { salt: 'b', hash: 'B' }, T0 + 1);
      assert.equal(a.id, b.id);
      assert.deepEqual(b.key, { salt: 'a', hash: 'A' });
      assert.deepEqual((await store.hosts.getWithKey(p.id, 'db1'))?.key, { salt: 'a', hash: 'A' });
    }));

    it('lets the first key claim a keyless host, and only the first', withStore(async ({ store }) => {
      const p = (await store.projects.getByName('default'))!;
      const h = await store.hosts.register(p.id, 'oddeye-host', null, T0);
      assert.equal(h.key, null);
      assert.deepEqual((await store.hosts.claimKey(h.id, { salt: 'a', hash: 'A' }))?.key, { salt: 'a', hash: 'A' });
      assert.deepEqual((await store.hosts.claimKey(h.id, { salt: 'b', hash: 'B' }))?.key, { salt: 'a', hash: 'A' });
      assert.equal(await store.hosts.claimKey(h.id + 1000, { salt: 'c', hash: 'C' }), null);
    }));

    it('writes the batch reason on flips (threshold, anomaly), reported by default', withStore(async ({ store }) => {
      const { host } = await defaultHost(store);
      await store.ingest.reportStates({ hostId: host.id, at: T0, address: null, source: 'metric', reason: 'threshold',
        services: [{ name: 'cpu > 90', state: 'ERR', info: '95', periodS: null }] });
      await report(store, host.id, T0 + 1, [['plain', 'WARN']]);
      const flips = (await store.history.flips({ limit: 10 })).items;
      assert.deepEqual(flips.map((f) => f.reason), ['reported', 'threshold']);
    }));

    it('creates checks on first report; the first non-OK state is a flip from OK', withStore(async ({ store }) => {
      const { host } = await defaultHost(store);
      const out = await report(store, host.id, T0, [['cpu', 'OK', '28%'], ['disk', 'ERR', 'full']]);
      assert.deepEqual(out.map((o) => [o.created, o.flip?.oldState, o.flip?.newState]), [[true, undefined, undefined], [true, 'OK', 'ERR']]);
      const disk = await store.checks.getByName(host.id, 'disk');
      assert.ok(disk);
      assert.equal(disk.state, 'ERR');
      assert.equal(disk.info, 'full');
      assert.equal(disk.periodS, 60);
      assert.equal(disk.lastReportAt, T0);
      assert.equal(disk.deadlineAt, T0 + 60_000);
      assert.equal(disk.hostName, 'web1');
      assert.equal(disk.sourceAddress, '127.0.0.1');
      assert.equal((await store.hosts.get(host.id))?.lastSeenAt, T0);
    }));

    it('writes a flip only when the state changes, and keeps every report in history', withStore(async ({ store }) => {
      const { host } = await defaultHost(store);
      await report(store, host.id, T0, [['app', 'OK', 'a']]);
      const same = await report(store, host.id, T0 + 1000, [['app', 'OK', 'b']]);
      const changed = await report(store, host.id, T0 + 2000, [['app', 'WARN', 'c']]);
      assert.equal(same[0]?.flip, null);
      assert.equal(changed[0]?.flip?.oldState, 'OK');
      assert.equal(changed[0]?.flip?.newState, 'WARN');
      assert.equal(changed[0]?.flip?.reason, 'reported');
      const check = (await store.checks.getByName(host.id, 'app'))!;
      assert.equal(check.lastChangeAt, T0 + 2000);
      const hist = await store.history.stateReports(check.id, { limit: 10 });
      assert.deepEqual(hist.items.map((r) => [r.at, r.state, r.info]), [[T0 + 2000, 'WARN', 'c'], [T0 + 1000, 'OK', 'b'], [T0, 'OK', 'a']]);
      const flips = await store.history.flips({ checkId: check.id, limit: 10 });
      assert.deepEqual(flips.items.map((f) => [f.oldState, f.newState]), [['OK', 'WARN']]);
    }));

    it('keeps a patience given with a report and uses it for the deadline until another is given', withStore(async ({ store }) => {
      const { host } = await defaultHost(store);
      const send = (at: number, patienceS?: number | null) => store.ingest.reportStates({
        hostId: host.id, at, address: null, source: 'okerr',
        services: [{ name: 'hb', state: 'OK', info: '', periodS: 3600, ...(patienceS === undefined ? {} : { patienceS }) }],
      });
      await send(T0, 1200);
      let c = (await store.checks.getByName(host.id, 'hb'))!;
      assert.equal(c.patienceS, 1200);
      assert.equal(c.deadlineAt, T0 + 4_800_000);
      await send(T0 + 1000);
      c = (await store.checks.getByName(host.id, 'hb'))!;
      assert.equal(c.patienceS, 1200);
      assert.equal(c.deadlineAt, T0 + 1000 + 4_800_000);
      assert.equal(c.source, 'okerr');
    }));

    it('pages through checks with a cursor without duplicates or gaps, and filters', withStore(async ({ store }) => {
      const { host } = await defaultHost(store);
      const { host: other } = await defaultHost(store, 'web2');
      const services: [string, 'OK' | 'ERR'][] = [];
      for (let i = 0; i < 250; i++) services.push([`svc-${String(i).padStart(3, '0')}`, i % 5 === 0 ? 'ERR' : 'OK']);
      await report(store, host.id, T0, services);
      await report(store, other.id, T0, [['svc-x', 'OK'], ['db', 'WARN']]);
      const seen = new Set<number>();
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await store.checks.list({ hostId: host.id, limit: 100, cursor });
        for (const c of page.items) { assert.ok(!seen.has(c.id)); seen.add(c.id); }
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      assert.equal(seen.size, 250);
      assert.equal(pages, 3);
      assert.equal((await store.checks.list({ state: 'ERR', limit: 1000 })).items.length, 50);
      assert.deepEqual((await store.checks.list({ namePrefix: 'svc-24', limit: 1000 })).items.map((c) => c.name).sort(),
        ['svc-240', 'svc-241', 'svc-242', 'svc-243', 'svc-244', 'svc-245', 'svc-246', 'svc-247', 'svc-248', 'svc-249']);
      assert.deepEqual((await store.checks.list({ namePrefix: 'svc-', hostId: other.id, limit: 10 })).items.map((c) => c.name), ['svc-x']);
      assert.deepEqual(await store.checks.countByState(), { OK: 201, WARN: 1, ERR: 50, UNK: 0 });
    }));

    it('rejects a cursor it did not issue', withStore(async ({ store }) => {
      await assert.rejects(store.checks.list({ limit: 10, cursor: 'bogus' }), (e: unknown) => e instanceof OverseeError && e.code === 'OVS_ERR_BAD_CURSOR');
    }));

    it('lists history newest first across pages, bounded by time', withStore(async ({ store }) => {
      const { host } = await defaultHost(store);
      for (let i = 0; i < 25; i++) await report(store, host.id, T0 + i * 1000, [['q', i % 2 ? 'OK' : 'WARN']]);
      const check = (await store.checks.getByName(host.id, 'q'))!;
      const all: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.history.flips({ checkId: check.id, limit: 7, cursor });
        all.push(...page.items.map((f) => f.at));
        cursor = page.nextCursor;
      } while (cursor);
      assert.equal(all.length, 25);
      assert.deepEqual(all, [...all].sort((a, b) => b - a));
      const window = await store.history.stateReports(check.id, { from: T0 + 5000, to: T0 + 9000, limit: 100 });
      assert.deepEqual(window.items.map((r) => r.at), [T0 + 9000, T0 + 8000, T0 + 7000, T0 + 6000, T0 + 5000]);
    }));

    it('stores alerts, attaching them to a check by name (created on first mention)', withStore(async ({ store }) => {
      const { project, host } = await defaultHost(store);
      await report(store, host.id, T0, [['queue', 'OK']]);
      const alerts = await store.ingest.raiseAlerts([
        { projectId: project.id, hostId: host.id, checkName: null, at: T0, title: 'Alert', message: 'System down', source: 'overc' },
        { projectId: project.id, hostId: host.id, checkName: 'queue', at: T0 + 1, title: 'Alert', message: 'stuck', source: 'overc' },
        { projectId: project.id, hostId: host.id, checkName: 'new-one', at: T0 + 2, title: 'Alert', message: 'x', source: 'overc' },
      ]);
      const queue = (await store.checks.getByName(host.id, 'queue'))!;
      assert.equal(alerts[0]?.checkId, null);
      assert.equal(alerts[1]?.checkId, queue.id);
      const created = await store.checks.getByName(host.id, 'new-one');
      assert.equal(created?.state, 'UNK');
      assert.equal(alerts[2]?.checkId, created?.id);
      const listed = await store.history.alerts({ hostId: host.id, limit: 10 });
      assert.deepEqual(listed.items.map((a) => a.message), ['x', 'stuck', 'System down']);
    }));

    it('deletes a host with its checks, history and flips', withStore(async ({ store }) => {
      const { host } = await defaultHost(store);
      await report(store, host.id, T0, [['a', 'ERR'], ['b', 'OK']]);
      const a = (await store.checks.getByName(host.id, 'a'))!;
      assert.equal(await store.hosts.delete(host.id), true);
      assert.equal(await store.hosts.delete(host.id), false);
      assert.equal(await store.checks.get(a.id), null);
      assert.equal((await store.history.flips({ checkId: a.id, limit: 10 })).items.length, 0);
      assert.equal((await store.checks.list({ limit: 10 })).items.length, 0);
    }));

    it('reads several checks at once, in id order, skipping ids that do not exist', withStore(async ({ store }) => {
      const { host } = await defaultHost(store);
      const out = await report(store, host.id, T0, [['a', 'OK'], ['b', 'ERR', 'x'], ['c', 'WARN']]);
      const [a, b, c] = out.map((o) => o.checkId) as [number, number, number];
      const got = await store.checks.getMany([c, a, c + 1000, b]);
      assert.deepEqual(got.map((x) => [x.id, x.name, x.state, x.hostName]), [[a, 'a', 'OK', 'web1'], [b, 'b', 'ERR', 'web1'], [c, 'c', 'WARN', 'web1']]);
      assert.deepEqual(await store.checks.getMany([]), []);
    }));

    it('deletes a single check', withStore(async ({ store }) => {
      const { host } = await defaultHost(store);
      const [a] = await report(store, host.id, T0, [['a', 'OK'], ['b', 'OK']]);
      assert.equal(await store.checks.delete(a!.checkId), true);
      assert.deepEqual((await store.checks.list({ limit: 10 })).items.map((c) => c.name), ['b']);
    }));

    it('keeps API tokens by hash only', withStore(async ({ store }) => {
      const t = await store.tokens.create({ name: 'ci', role: 'editor', projectId: null, hash: 'abc123', now: T0 });
      assert.equal(await store.tokens.count(), 1);
      const found = await store.tokens.findByHash('abc123');
      assert.equal(found?.id, t.id);
      assert.equal(found?.role, 'editor');
      assert.equal(await store.tokens.findByHash('nope'), null);
      await store.tokens.touch(t.id, T0 + 5);
      assert.equal((await store.tokens.list())[0]?.lastUsedAt, T0 + 5);
      assert.equal(await store.tokens.delete(t.id), true);
      assert.equal(await store.tokens.count(), 0);
    }));

    it('prunes state reports older than the retention bound but keeps flips', withStore(async ({ store }) => {
      const { host } = await defaultHost(store);
      for (let i = 0; i < 10; i++) await report(store, host.id, T0 + i * 1000, [['p', i === 9 ? 'ERR' : 'OK']]);
      const check = (await store.checks.getByName(host.id, 'p'))!;
      assert.equal(await store.maintenance.pruneStateReports(T0 + 5000), 5);
      assert.equal((await store.history.stateReports(check.id, { limit: 100 })).items.length, 5);
      assert.equal((await store.history.flips({ checkId: check.id, limit: 100 })).items.length, 1);
    }));

    it('applies concurrent batches completely and keeps everything after reopening', withStore(async (h) => {
      const { host } = await defaultHost(h.store);
      await Promise.all(Array.from({ length: 50 }, (_, i) => report(h.store, host.id, T0 + i, [[`c${i}`, 'WARN'], [`d${i}`, 'OK']])));
      await h.store.close();
      const store = await h.reopen();
      assert.equal((await store.checks.list({ limit: 1000 })).items.length, 100);
      assert.equal((await store.history.flips({ limit: 1000 })).items.length, 50);
      await store.close();
    }));
  });
}
