// Serving the built app: caching headers, SPA fallback, and API 404s left alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appFixture, type AppFixture } from '../test-support/app-fixture.js';

describe('the built web app', () => {
  let f: AppFixture;
  const root = `${mkdtempSync(join(tmpdir(), 'oversee-web-'))}/`;
  before(async () => {
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Oversee</title><script src="/assets/app-Ab12.js"></script>');
    writeFileSync(join(root, 'assets', 'app-Ab12.js'), 'console.log("app")');
    writeFileSync(join(root, 'assets', 'app-Ab12.js.gz'), gzipSync('console.log("app")'));
    f = await appFixture({ webRoot: root });
  });
  after(async () => {
    await f.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('serves index.html at / with no-cache', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(res.body, /<title>Oversee<\/title>/);
  });

  test('serves hashed assets cached for a year as immutable, gzipped when accepted', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/assets/app-Ab12.js', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(res.headers['content-encoding'], 'gzip');
  });

  test('answers index.html for client routes such as /check/12 and /settings/users', async () => {
    for (const url of ['/check/12', '/host/3', '/settings/users', '/explore', '/alerts', '/login']) {
      const res = await f.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.body, /<title>Oversee<\/title>/, url);
    }
  });

  test('leaves unknown API paths and missing assets as JSON 404s', async () => {
    const api = await f.app.inject({ method: 'GET', url: '/api/v1/nope' });
    assert.ok([401, 404].includes(api.statusCode), String(api.statusCode));
    assert.match(api.json().error.code, /^OVS_ERR_/, 'a JSON error, not the app');
    assert.equal((await f.app.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode, 404);
    assert.equal((await f.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200, '/metrics stays Prometheus');
  });

  test('without a build, / says how to build the app', async () => {
    const g = await appFixture({ webRoot: null });
    const res = await g.app.inject({ method: 'GET', url: '/' });
    assert.match(res.body, /npm run build/);
    await g.close();
  });
});
