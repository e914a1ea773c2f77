// The dashboard's rules that need no browser: worst-first rows and filters of the overview, the
// Severe banner's two-minute linger (PROTOCOLS.md §2), the timeline strip's runs, chart steps and merges.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OverviewModel, SEVERE_LINGER_MS } from '../web/src/lib/model.js';
import { mergeResults, stepFor } from '../web/src/lib/metrics.js';
import { countChecks, overviewRows, type OverviewFilter } from '../web/src/lib/overview-rows.js';
import { segmentsOf } from '../web/src/lib/timeline.js';
import type { CheckState, LiveEvent, OverviewCheck } from '../web/src/lib/types.js';

let nextId = 1;
const hostIds = new Map<string, number>();
const hostId = (name: string): number => hostIds.get(name) ?? (hostIds.set(name, hostIds.size + 1), hostIds.size);
const check = (hostName: string, name: string, state: CheckState, extra: Partial<OverviewCheck> = {}): OverviewCheck => ({
  id: nextId++, projectId: 1, hostId: hostId(hostName), hostName, name, state, info: '', lastReportAt: 0,
  lastChangeAt: 0, expired: false, tags: [], ...extra,
});
const all: OverviewFilter = { text: '', states: new Set(), expiredOnly: false, projectId: null, tag: '' };
const labels = (rows: ReturnType<typeof overviewRows>): string[] =>
  rows.map((r) => (r.kind === 'host' ? `[${r.hostName}]` : `${r.check.name}:${r.check.state}${r.check.expired ? '*' : ''}`));

describe('overview rows', () => {
  const checks = [
    check('alpha', 'disk', 'OK'), check('alpha', 'load', 'WARN'),
    check('beta', 'http', 'OK'), check('beta', 'backup', 'OK', { expired: true }),
    check('gamma', 'db', 'ERR', { tags: ['prod'], info: 'replication lag 1830 s' }), check('gamma', 'ntp', 'UNK'),
  ];

  test('hosts come worst first, each with its checks worst first and expired before others of a state', () => {
    assert.deepEqual(labels(overviewRows(checks, all)), ['[gamma]', 'db:ERR', 'ntp:UNK', '[alpha]', 'load:WARN', 'disk:OK', '[beta]', 'backup:OK*', 'http:OK']);
  });

  test('search needs every word somewhere in host, name, info or tags; filters combine', () => {
    assert.deepEqual(labels(overviewRows(checks, { ...all, text: 'gamma lag' })), ['[gamma]', 'db:ERR']);
    assert.deepEqual(labels(overviewRows(checks, { ...all, text: 'PROD' })), ['[gamma]', 'db:ERR']);
    // Among OK hosts, the one with an expired check comes first.
    assert.deepEqual(labels(overviewRows(checks, { ...all, states: new Set<CheckState>(['OK']) })), ['[beta]', 'backup:OK*', 'http:OK', '[alpha]', 'disk:OK']);
    assert.deepEqual(labels(overviewRows(checks, { ...all, expiredOnly: true })), ['[beta]', 'backup:OK*']);
    assert.deepEqual(labels(overviewRows(checks, { ...all, tag: 'prod', states: new Set<CheckState>(['OK']) })), []);
  });

  test('counts per state, expired and total, optionally for one project', () => {
    const c = countChecks([...checks, check('delta', 'x', 'ERR', { projectId: 2 })], 1);
    assert.deepEqual(c, { byState: { ERR: 1, WARN: 1, UNK: 1, OK: 3 }, expired: 1, total: 6 });
  });

  // Speed is measured by `npm run bench -- --only ui` (a real browser), not timed here.
  test('10,000 checks on 1,000 hosts become one row per host and per check, every host with its checks', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => check(`host-${Math.floor(i / 10)}`, `c${i % 10}`, (['OK', 'WARN', 'ERR', 'UNK'] as const)[i % 4]!));
    const rows = overviewRows(many, all);
    assert.equal(rows.length, 11_000);
    assert.equal(rows.filter((r) => r.kind === 'host').length, 1_000);
    let host: string | null = null;
    for (const r of rows) {
      if (r.kind === 'host') host = r.hostName;
      else assert.equal(r.check.hostName, host);
    }
  });
});

describe('the Severe banner', () => {
  const event = (id: number, c: OverviewCheck): LiveEvent => ({ id, projectId: 1, type: 'check', check: { ...c, periodS: null, patienceS: null, deadlineAt: null, source: 'overc', sourceAddress: null, createdAt: 0 } });

  test('a check in ERR enters; when it leaves ERR it is marked cleared and goes two minutes later', () => {
    let now = 1_000_000;
    const m = new OverviewModel((fn) => fn(), () => now);
    m.setOverview({ now, lastEventId: 0, counts: { ERR: 0, WARN: 0, UNK: 0, OK: 0 }, expired: 0, checks: [], severe: [], projects: [] });
    const c = check('web1', 'disk', 'ERR', { lastChangeAt: now });
    m.apply(event(1, c));
    assert.deepEqual([...m.severe.values()].map((s) => [s.title, s.clearedAt]), [['web1 / disk', null]]);
    now += 5000;
    m.apply(event(2, { ...c, state: 'OK', lastChangeAt: now }));
    const clearedAt = now;
    assert.deepEqual([...m.severe.values()].map((s) => s.clearedAt), [clearedAt]);
    now = clearedAt + SEVERE_LINGER_MS - 1;
    assert.equal(m.expireSevere(), false);
    assert.equal(m.severe.size, 1);
    now = clearedAt + SEVERE_LINGER_MS;
    assert.equal(m.expireSevere(), true);
    assert.equal(m.severe.size, 0);
  });

  test('an OddEye Special ERROR message enters by key and an inactive one clears it', () => {
    let now = 5_000_000;
    const m = new OverviewModel((fn) => fn(), () => now);
    m.apply({ id: 1, projectId: 1, type: 'severe', key: 'db-backup', title: 'backup', message: 'ERROR: dump failed', active: true, at: now });
    now += 1000;
    m.apply({ id: 2, projectId: 1, type: 'severe', key: 'db-backup', title: 'backup', message: 'OK', active: false, at: now });
    assert.deepEqual([...m.severe.values()].map((s) => [s.detail, s.clearedAt]), [['ERROR: dump failed', now]]);
  });

  test('listeners hear about a burst of events once per scheduled frame', () => {
    const frames: (() => void)[] = [];
    const m = new OverviewModel((fn) => { frames.push(fn); });
    let calls = 0;
    m.subscribe(() => calls++);
    for (let i = 1; i <= 50; i++) m.apply(event(i, check('h', `c${i}`, 'OK')));
    assert.equal(frames.length, 1);
    frames[0]!();
    assert.equal(calls, 1);
  });
});

describe('timeline strip', () => {
  test('collapses runs of one state and marks the time before the first report as no data', () => {
    const reports = [{ at: 30, state: 'OK' as const }, { at: 40, state: 'OK' as const }, { at: 60, state: 'ERR' as const }, { at: 70, state: 'ERR' as const }, { at: 90, state: 'OK' as const }, { at: 5, state: 'WARN' as const }];
    assert.deepEqual(segmentsOf(reports, 10, 100), [
      { from: 10, to: 30, state: null, count: 0 }, { from: 30, to: 60, state: 'OK', count: 2 },
      { from: 60, to: 90, state: 'ERR', count: 2 }, { from: 90, to: 100, state: 'OK', count: 1 },
    ]);
    assert.deepEqual(segmentsOf([], 0, 10), [{ from: 0, to: 10, state: null, count: 0 }]);
  });
});

describe('charts', () => {
  test('the step gives at most about 720 points and is a round duration', () => {
    assert.equal(stepFor(3600_000), 5000);
    assert.equal(stepFor(86400_000), 120_000);
    assert.equal(stepFor(30 * 86400_000), 3600_000);
  });

  test('merging answers puts all series on the union of timestamps with nulls where absent', () => {
    const merged = mergeResults([
      { timestamps: [1, 3], series: [{ name: 'a', tags: {}, values: [10, 30] }] },
      { timestamps: [2, 3], series: [{ name: 'b', tags: { h: 'x' }, values: [20, 31] }] },
    ]);
    assert.deepEqual(merged, { timestamps: [1, 2, 3], series: [{ name: 'a', tags: {}, values: [10, null, 30] }, { name: 'b', tags: { h: 'x' }, values: [null, 20, 31] }] });
  });
});
