import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OkerrProject, readOkerrConfig } from './okerr.js';
import { OverseeClientError } from './errors.js';
import { startRecordingServer, type RecordedRequest } from './test-support/recording-server.js';

function okerrServer(srvUrl: () => string): (r: RecordedRequest) => { status: number; body: string; contentType: string } {
  return (r) => {
    if (r.url === '/api/director/proj') return { status: 200, body: `${srvUrl()}/okerr/\n`, contentType: 'text/plain' };
    if (r.url === '/okerr/update') return { status: 200, body: 'OK', contentType: 'text/plain' };
    return { status: 404, body: 'No such project. (textid: \'x\')', contentType: 'text/plain' };
  };
}

test('update asks the director once, posts the form and throttles identical updates for 300 s', async () => {
  let url = '';
  const srv = await startRecordingServer(okerrServer(() => url));
  url = srv.url;
  let now = 1_000_000;
  try {
    const p = new OkerrProject({ textid: 'proj', secret: 'sec', url: srv.url, env: {}, now: () => now });
    const disk = p.indicator('disk:/', { method: 'numerical|maxlim=90', tags: ['disk', 'root'] });
    assert.deepEqual(await disk.update('42', 'used 42%'), {
      sent: true,
      fields: { textid: 'proj', name: 'disk:/', status: '42', details: 'used 42%', secret: 'sec', method: 'numerical|maxlim=90', tags: 'disk,root' },
    });
    now += 299_000;
    assert.equal((await disk.update('42', 'used 42%')).skipped, 'throttled');
    assert.equal((await disk.update('43', 'used 43%')).sent, true, 'a change is sent at once');
    now += 300_000;
    assert.equal((await disk.update('43', 'used 43%')).sent, true, 'after 300 s the same status is sent again');
    assert.deepEqual(srv.requests.map((r) => r.url), ['/api/director/proj', '/okerr/update', '/okerr/update', '/okerr/update']);
    const form = new URLSearchParams(srv.requests[1]?.body);
    assert.equal(form.get('method'), 'numerical|maxlim=90');
    assert.equal(srv.requests[1]?.headers['content-type'], 'application/x-www-form-urlencoded');
  } finally {
    await srv.close();
  }
});

test('dryRun sends nothing and reports the fields (no url needed)', async () => {
  const r = await new OkerrProject({ textid: 'proj', dryRun: true, env: {} }).indicator('x').update('OK');
  assert.deepEqual(r, { sent: false, skipped: 'dry-run', fields: { textid: 'proj', name: 'x', status: 'OK' } });
});

test('credentials come from options, then environment, then the config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'okerr-'));
  const file = join(dir, 'okerrclient.conf');
  writeFileSync(file, '# okerr client\ntextid = fileproj\nsecret: filesecret\nurl = "http://127.0.0.1:9/"\n');
  const fromFile = new OkerrProject({ config: file, env: {} });
  assert.equal(fromFile.textid, 'fileproj');
  assert.equal(fromFile.secret, 'filesecret');
  const fromEnv = new OkerrProject({ config: file, env: { OKERR_TEXTID: 'envproj' } });
  assert.equal(fromEnv.textid, 'envproj');
  assert.equal(fromEnv.secret, 'filesecret');
  const fromOpts = new OkerrProject({ textid: 'optproj', secret: 'o', url: 'http://x/', config: file, env: { OKERR_TEXTID: 'envproj' } });
  assert.equal(fromOpts.textid, 'optproj');
  assert.equal(fromOpts.secret, 'o');
  assert.throws(() => new OkerrProject({ config: join(dir, 'missing.conf'), env: {} }), (e: unknown) => e instanceof OverseeClientError && e.kind === 'config');
  assert.throws(() => new OkerrProject({ env: {}, url: 'http://x/', config: join(dir, 'okerrclient.conf').replace('okerrclient', 'none') }), OverseeClientError);
  assert.deepEqual(readOkerrConfig('[main]\nTextID=a\n; c\n'), { textid: 'a' });
});

test('a rejected update throws OverseeClientError with the plain-text answer', async () => {
  const srv = await startRecordingServer((r) => (r.url.startsWith('/api/director') ? { status: 404, body: 'no director' } : { status: 400, body: 'Bad secret', contentType: 'text/plain' }));
  try {
    const ind = new OkerrProject({ textid: 'p', url: srv.url, env: {} }).indicator('x');
    await assert.rejects(ind.update('OK'), (e: unknown) => e instanceof OverseeClientError && e.status === 400 && /Bad secret/.test(e.message));
    assert.equal(srv.requests[1]?.url, '/update', 'without a director the base URL takes updates');
  } finally {
    await srv.close();
  }
});
