import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppFixture } from '../test-support/app-fixture.js';
import type { Tsdb } from '../tsdb/index.js';
import { storeOvercPerfdata } from './samples-overc.js';
import { metricsAppFixture, RecordingSink, storedPoints } from './samples-test-support.js';

describe('perfdata of OverC reports as samples', () => {
  it('names series <service>.<label> with the host tag; UOM c makes a counter; bad names are listed', async () => {
    const sink = new RecordingSink();
    const metric = (name: string, value: number, unit: string | null = null) => ({ name, value, unit, warn: null, crit: null, min: null, max: null });
    const out = await storeOvercPerfdata(sink, 7, {
      hostId: 1, hostName: 'web1', at: 1000,
      services: [{ checkId: 1, name: 'disk', flip: null, metrics: [metric('/', 71.5, '%'), metric('inodes', 3)] }, { checkId: 2, name: 'net', flip: null, metrics: [metric('rx', 99, 'c'), metric('x'.repeat(300), 1)] }],
    });
    assert.equal(out.accepted, 3);
    assert.deepEqual(out.rejected, [`net.${'x'.repeat(300)}: metric name is too long`]);
    assert.deepEqual(sink.written.map((s) => [s.projectId, s.name, s.tags, s.timestampMs, s.value, s.type]), [
      [7, 'disk./', { host: 'web1' }, 1000, 71.5, 'gauge'], [7, 'disk.inodes', { host: 'web1' }, 1000, 3, 'gauge'], [7, 'net.rx', { host: 'web1' }, 1000, 99, 'counter']]);
  });

  it('a report without metrics commits nothing', async () => {
    const sink = new RecordingSink();
    sink.failWith = new Error('must not be called');
    assert.deepEqual(await storeOvercPerfdata(sink, 1, { hostId: 1, hostName: 'h', at: 1, services: [{ checkId: 1, name: 's', flip: null, metrics: [] }] }), { accepted: 0, rejected: [] });
  });
});

describe('OverC reports with perfdata over HTTP', () => {
  let f: AppFixture & { tsdb: Tsdb };
  before(async () => { f = await metricsAppFixture(); });
  after(async () => { await f.close(); });

  it('stores the service states and the perfdata series', async () => {
    const r = await f.app.inject({
      method: 'POST', url: '/api/set/service/status', headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ server: { name: 'db1', key: 'k-123456' }, period: 60, services: [
        { name: 'load', state: 'OK', info: 'load 0.5', metrics: [{ name: 'load1', value: 0.5 }, { name: 'load5', value: 0.25 }] }] }),
    });
    assert.equal(r.statusCode, 200, r.body);
    const projectId = (await f.store.projects.getByName('default'))!.id;
    const deadline = Date.now() + 5000;
    while (f.tsdb.series({ projectId, namePrefix: 'load.' }).length < 2) {
      assert.ok(Date.now() < deadline, 'perfdata series did not appear');
      await new Promise((res) => setTimeout(res, 5));
    }
    assert.deepEqual(await storedPoints(f.tsdb, projectId, 'load.load1', f.clock.now() - 1000, f.clock.now()), [[{ host: 'db1' }, f.clock.now(), 0.5]]);
  });
});
