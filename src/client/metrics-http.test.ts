import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpMetricsClient } from './metrics-http.js';
import { OverseeClientError } from './errors.js';
import { startRecordingServer } from './test-support/recording-server.js';

test('posts OpenTSDB JSON to api/put with a bearer token and default timestamps', async () => {
  const srv = await startRecordingServer(() => ({ status: 204, body: '' }));
  try {
    const c = new HttpMetricsClient({ url: `${srv.url}/prefix/`, token: 'tok', now: () => 1700000000000 });
    await c.send([{ metric: 'cpu.load', value: 0.5, tags: { host: 'a' } }, { metric: 'x', value: 1, timestamp: 5 }]);
    await c.send([]);
    assert.equal(srv.requests.length, 1);
    assert.equal(srv.requests[0]?.url, '/prefix/api/put');
    assert.equal(srv.requests[0]?.headers['authorization'], 'Bearer tok');
    assert.deepEqual(JSON.parse(srv.requests[0]?.body ?? ''), [
      { metric: 'cpu.load', timestamp: 1700000000000, value: 0.5, tags: { host: 'a' } },
      { metric: 'x', timestamp: 5, value: 1, tags: {} },
    ]);
  } finally {
    await srv.close();
  }
});

test('an error answer throws OverseeClientError', async () => {
  const srv = await startRecordingServer(() => ({ status: 400, body: '{"error":"metric: required"}' }));
  try {
    await assert.rejects(new HttpMetricsClient({ url: srv.url }).send([{ metric: '', value: 1 }]), (e: unknown) => e instanceof OverseeClientError && e.status === 400 && /metric: required/.test(e.message));
  } finally {
    await srv.close();
  }
});
