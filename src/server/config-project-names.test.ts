import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAlertingConfig } from '../alert/config.js';
import { parseLimitsConfig } from '../ingest/quota.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { configProjectRefs, warnUnknownConfigProjects } from './config-project-names.js';

test('start-up warns once per config key naming a project that does not exist (e.g. renamed through the API)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oversee-config-names-'));
  const store = await openSqliteStore({ path: join(dir, 'oversee.db'), synchronous: 'NORMAL' });
  try {
    const ops = await store.projects.create('ops', 0);
    const limits = parseLimitsConfig({ max_series: 10, projects: { ops: { max_series: 5 }, web: { max_series: 1 } } });
    const starts = '2026-01-05T12:00:00Z';
    const alerting = parseAlertingConfig({
      channels: [{ name: 'hook', type: 'webhook', url: 'http://127.0.0.1:9/x' }],
      routes: [{ name: 'r', projects: ['default', 'web'], channels: ['hook'] }],
      silences: [{ project: 'ops', host: '*', starts, duration_s: 3600 }, { host: 'db*', starts, duration_s: 3600 }],
    });
    const refs = configProjectRefs(limits, alerting);
    assert.deepEqual(refs.map((r) => r.key), ['limits.projects.ops', 'limits.projects.web', 'routes[0].projects[0]', 'routes[0].projects[1]', 'silences[0].project']);
    const warned: Array<{ key: string; msg: string }> = [];
    const logger = { warn: (obj: { key: string }, msg: string) => { warned.push({ key: obj.key, msg }); } };
    let unknown = await warnUnknownConfigProjects(store, refs, logger as never);
    assert.deepEqual(unknown.map((r) => r.key), ['limits.projects.web', 'routes[0].projects[1]']);
    assert.deepEqual(warned.map((w) => w.key), ['limits.projects.web', 'routes[0].projects[1]']);
    assert.match(warned[0]?.msg ?? '', /names project "web", which does not exist/);
    // After a rename the file's old name is stale: it is reported.
    await store.projects.update(ops.id, { name: 'operations' });
    unknown = await warnUnknownConfigProjects(store, refs, { warn: () => undefined });
    assert.deepEqual(unknown.map((r) => r.key), ['limits.projects.ops', 'limits.projects.web', 'routes[0].projects[1]', 'silences[0].project']);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
