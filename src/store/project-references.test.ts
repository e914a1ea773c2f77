// Renaming and deleting a project on a real SQLite file and a fresh schema of the real PostgreSQL:
// silences and route matches follow a rename in its transaction; a delete leaves no silence, route
// match, alert event, dashboard or grant of the project behind, and other projects keep theirs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { planIntake } from '../alert/events.js';
import type { Route, SilenceInput } from '../alert/types.js';
import { storeBackends, type StoreBackend } from '../test-support/store-backends.js';
import { renamedRouteSpec, routeAfterDelete } from './project-references.js';
import { okerrRepoFor } from './sqlite/okerr.js';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

const backends = storeBackends('oversee-project-refs-');

const route = (name: string, projects: string[] | null): Route => ({
  name, projects, hosts: null, checks: null, states: null, tags: null, kinds: null, channels: ['hook'], isDefault: false,
});
const silence = (project: string | null, comment: string): SilenceInput => ({
  project, host: '*', check: '*', startsAt: T0, endsAt: T0 + 3_600_000, recurrence: 'none', until: null, comment, createdBy: 'test',
});

test('route specs: a rename rewrites the name once, a delete takes it out or deletes a route naming only it', () => {
  const spec = JSON.stringify(route('r', ['a', 'b']));
  assert.deepEqual(JSON.parse(renamedRouteSpec(spec, 'a', 'b') ?? 'null').projects, ['b']);
  assert.deepEqual(JSON.parse(renamedRouteSpec(spec, 'a', 'c') ?? 'null').projects, ['c', 'b']);
  assert.equal(renamedRouteSpec(spec, 'x', 'y'), null);
  assert.equal(renamedRouteSpec(JSON.stringify(route('any', null)), 'a', 'y'), null);
  assert.deepEqual(routeAfterDelete(spec, 'x'), { action: 'keep' });
  assert.deepEqual(routeAfterDelete(JSON.stringify(route('r', ['a'])), 'a'), { action: 'delete' });
  const rest = routeAfterDelete(spec, 'a');
  assert.equal(rest.action, 'rewrite');
  assert.deepEqual(rest.action === 'rewrite' ? JSON.parse(rest.spec).projects : null, ['b']);
});

for (const [name, open] of backends) {
  describe(`renaming and deleting a project (${name})`, () => {
    let b: StoreBackend | null = null;
    let ops = 0;
    let keep = 0;

    before(async () => {
      const got = await open();
      if (typeof got === 'string') return;
      b = got;
      ops = (await b.store.projects.create('ops', T0)).id;
      keep = (await b.store.projects.create('keep', T0)).id;
      await b.alerts.putRoute(route('ops-only', ['ops']), 'api');
      await b.alerts.putRoute(route('ops-and-keep', ['ops', 'keep']), 'api');
      await b.alerts.putRoute(route('everything', null), 'api');
      await b.alerts.addSilence(silence('ops', 'ops window'), 'api', T0);
      await b.alerts.addSilence(silence('keep', 'keep window'), 'api', T0);
      await b.alerts.addSilence(silence(null, 'global window'), 'api', T0);
      let at = T0;
      for (const p of [ops, keep]) {
        const host = await b.store.hosts.register(p, `h${p}`, null, T0);
        await b.store.ingest.reportStates({ hostId: host.id, at: at++, address: null, source: 'api', services: [{ name: 'disk', state: 'ERR', info: '', periodS: null }] });
        await b.users.saveDashboard({ projectId: p, name: `board ${p}`, spec: { panels: [] }, createdBy: 'test', now: T0 });
        await okerrRepoFor(b.store)!.setSettings(p, { autocreate: false }, T0);
      }
      assert.equal(await b.alerts.intake('n1', at, 100, (item) => planIntake(item, 0)), 2);
    });
    after(async () => { await b?.cleanup(); });

    const silencesByComment = async (): Promise<Record<string, string | null>> =>
      Object.fromEntries((await b!.alerts.listSilences()).map((s) => [s.comment, s.project]));
    const routeProjects = async (): Promise<Record<string, string[] | null>> =>
      Object.fromEntries((await b!.alerts.listRoutes()).map((r) => [r.name, r.projects]));

    test('a rename carries silences and route matches to the new name; other projects keep theirs', async (t) => {
      if (b === null) { t.skip('PostgreSQL unreachable'); return; }
      const renamed = await b.store.projects.update(ops, { name: 'operations' });
      assert.equal(renamed?.name, 'operations');
      assert.deepEqual(await silencesByComment(), { 'ops window': 'operations', 'keep window': 'keep', 'global window': null });
      assert.deepEqual(await routeProjects(), { 'ops-only': ['operations'], 'ops-and-keep': ['operations', 'keep'], everything: null });
      // Only a description: nothing named changes.
      await b.store.projects.update(keep, { description: 'kept' });
      assert.deepEqual(await routeProjects(), { 'ops-only': ['operations'], 'ops-and-keep': ['operations', 'keep'], everything: null });
    });

    test('a rename to a taken name is a conflict and changes nothing', async (t) => {
      if (b === null) { t.skip('PostgreSQL unreachable'); return; }
      await assert.rejects(b.store.projects.update(ops, { name: 'keep' }), (e: unknown) => e instanceof Error && 'code' in e && e.code === 'OVS_ERR_CONFLICT');
      assert.equal((await silencesByComment())['ops window'], 'operations');
    });

    test('a delete leaves no silence, route match, event or dashboard of the project; the other project keeps its own', async (t) => {
      if (b === null) { t.skip('PostgreSQL unreachable'); return; }
      const eventsOf = async (projectId: number): Promise<number> =>
        (await b!.alerts.events({ limit: 100, projectIds: [projectId] })).items.length;
      assert.equal(await eventsOf(ops), 1);
      assert.equal(await b.store.projects.delete(ops), true);
      assert.equal(await b.store.projects.delete(ops), false);
      assert.deepEqual(await silencesByComment(), { 'keep window': 'keep', 'global window': null });
      assert.deepEqual(await routeProjects(), { 'ops-and-keep': ['keep'], everything: null }, 'a route naming only the project goes instead of matching every project');
      assert.equal(await eventsOf(ops), 0);
      assert.equal(await eventsOf(keep), 1);
      assert.deepEqual((await b.users.listDashboards(undefined)).map((d) => d.projectId), [keep]);
      const okerr = okerrRepoFor(b.store)!;
      assert.equal((await okerr.getSettings(ops)).autocreate, true, 'okerr settings row gone (defaults again)');
      assert.equal((await okerr.getSettings(keep)).autocreate, false);
      assert.equal((await b.store.checks.list({ limit: 10, projectId: ops })).items.length, 0);
      assert.equal((await b.store.checks.list({ limit: 10, projectId: keep })).items.length, 1);
    });

    test('a new project never takes the id of a deleted one (SQLite would reuse the highest rowid)', async (t) => {
      if (b === null) { t.skip('PostgreSQL unreachable'); return; }
      const last = await b.store.projects.create('last', T0);
      assert.equal(await b.store.projects.delete(last.id), true);
      const next = await b.store.projects.create('next', T0);
      assert.ok(next.id > last.id, `new id ${next.id} after deleted ${last.id}`);
    });
  });
}
