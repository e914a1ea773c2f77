import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { ACTIONS } from './registry.js';
import type { Action, ActionContext } from './types.js';
import { renderTemplate } from './mail.js';
import { Outbox } from '../outbox.js';
import { memoryLogger } from '../logger.js';
import { ManualTimers } from '../test-support/manual-timers.js';
import { startRecordingServer } from '../../client/test-support/recording-server.js';
import { VERSION } from '../../version.js';

const origin = { file: 't.toml', index: 0 };
const ctx: ActionContext = { outbox: undefined, logger: memoryLogger() };
function action(type: string, params: Record<string, unknown>, c: ActionContext = ctx): Action {
  const f = ACTIONS.get(type);
  assert.ok(f);
  return f.create(params, origin, 'monitor[0].actions[0]', c);
}

test('exec action gets GOMA_* variables for init, fail and recover', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'act-'));
  const out = join(dir, 'events');
  const a = action('exec', { command: '/bin/sh', args: ['-c', `echo "$GOMA_MONITOR $GOMA_EVENT v=$GOMA_VALUE d=$GOMA_DURATION $GOMA_VERSION $EXTRA" >> ${out}`], env: ['EXTRA=x'] });
  await a.handle({ monitor: 'm1', event: 'init' });
  await a.handle({ monitor: 'm1', event: 'fail', value: 0.30000000000000004 });
  await a.handle({ monitor: 'm1', event: 'recover', durationS: 39 });
  assert.equal(readFileSync(out, 'utf8'), `m1 init v= d= ${VERSION} x\nm1 fail v=0.3 d= ${VERSION} x\nm1 recover v= d=39 ${VERSION} x\n`);
});

test('exec action failing or timing out rejects', async () => {
  await assert.rejects(action('exec', { command: '/bin/false' }).handle({ monitor: 'm', event: 'init' }), /exited 1/);
  await assert.rejects(action('exec', { command: '/bin/sleep', args: ['10'], timeout: 0.2 }).handle({ monitor: 'm', event: 'init' }), /timed out/);
});

test('http action calls the event URL with fields in the query (GET) or form (POST)', async () => {
  const srv = await startRecordingServer(() => ({ body: 'ok' }));
  try {
    const get = action('http', { url_fail: `${srv.url}/fail?x=1`, url_recover: `${srv.url}/recover`, params: { team: 'ops' }, header: { 'X-Key': 'k' } });
    await get.handle({ monitor: 'm', event: 'init' });
    await get.handle({ monitor: 'm', event: 'fail', value: 2 });
    const post = action('http', { url_recover: `${srv.url}/recover`, method: 'post' });
    await post.handle({ monitor: 'm', event: 'recover', durationS: 12 });
    assert.equal(srv.requests.length, 2, 'no url_init: init sends nothing');
    const failUrl = new URL(srv.requests[0]?.url ?? '', 'http://x');
    assert.equal(failUrl.pathname, '/fail');
    assert.deepEqual(Object.fromEntries(failUrl.searchParams), { x: '1', team: 'ops', monitor: 'm', event: 'fail', version: VERSION, value: '2' });
    assert.equal(srv.requests[0]?.headers['x-key'], 'k');
    assert.equal(srv.requests[1]?.method, 'POST');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(srv.requests[1]?.body)), { monitor: 'm', event: 'recover', version: VERSION, duration: '12' });
  } finally {
    await srv.close();
  }
  const bad = await startRecordingServer(() => ({ status: 500 }));
  try {
    await assert.rejects(action('http', { url_init: bad.url }).handle({ monitor: 'm', event: 'init' }), /HTTP 500/);
  } finally {
    await bad.close();
  }
});

test('mail action sends through a real SMTP server to to + the event list, with templates', async () => {
  const mails: Array<{ from: string; to: string[]; data: string }> = [];
  const smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c: Buffer) => { data += c.toString(); });
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const addr = smtp.server.address();
  assert.ok(addr && typeof addr === 'object');
  try {
    const a = action('mail', { from: 'goma@example.org', to: ['ops@example.org'], fail_to: ['oncall@example.org'], bcc: ['audit@example.org'], server: `127.0.0.1:${addr.port}`, subject: '{{.Monitor}} {{.Event}} {{.Value}}' });
    await a.handle({ monitor: 'web', event: 'fail', value: 1.5 });
    await a.handle({ monitor: 'web', event: 'recover', durationS: 60 });
    const onlyFail = action('mail', { from: 'goma@example.org', fail_to: ['oncall@example.org'], server: `127.0.0.1:${addr.port}` });
    await onlyFail.handle({ monitor: 'web', event: 'init' });
    assert.equal(mails.length, 2, 'no recipients for init: nothing sent');
    assert.deepEqual(mails[0]?.to.sort(), ['audit@example.org', 'oncall@example.org', 'ops@example.org']);
    assert.match(mails[0]?.data ?? '', /Subject: web fail 1\.5/);
    assert.deepEqual(mails[1]?.to.sort(), ['audit@example.org', 'ops@example.org']);
    assert.match(mails[1]?.data ?? '', /Duration: 60 s/);
  } finally {
    await new Promise<void>((r) => smtp.close(() => r()));
  }
});

test('renderTemplate fills goma fields and leaves unknown ones', () => {
  assert.equal(renderTemplate('{{.Monitor}}/{{ .Event }}/{{.Value}}/{{.Nope}}', { monitor: 'm', event: 'fail', value: 0.5 }), 'm/fail/0.5/{{.Nope}}');
});

test('push action queues every value with state, change flag, period and metrics', () => {
  const timers = new ManualTimers();
  const outbox = new Outbox({ dir: mkdtempSync(join(tmpdir(), 'push-')), timers, logger: memoryLogger() });
  outbox.open();
  const a = action('push', {}, { outbox, logger: memoryLogger() });
  const base = { monitor: 'web', min: 0, max: 0.5, intervalS: 10, timeoutS: 5 };
  a.observe?.({ ...base, value: 0.1, failing: false, result: { value: 0.1, info: 'HTTP 200' } });
  a.observe?.({ ...base, value: 0.2, failing: false, result: { value: 0.2 } });
  a.observe?.({ ...base, value: 2, failing: true, result: { value: 2, metrics: [{ name: 'time', value: 2, unit: 's' }] } });
  a.observe?.({ ...base, value: 1, failing: true, result: { value: 1, state: 'WARN' } });
  const got = outbox.pending().map((e) => (e.kind === 'status' ? [e.service.state, e.change, e.service.period, e.service.info, e.service.metrics?.map((m) => m.name).join(',')] : []));
  assert.deepEqual(got, [
    ['OK', true, 15, 'HTTP 200\nvalue 0.1 within [0, 0.5]', 'value'],
    ['OK', false, 15, 'value 0.2 within [0, 0.5]', 'value'],
    ['FAIL', true, 15, 'value 2 outside [0, 0.5]', 'value,time'],
    ['WARN', true, 15, 'value 1 outside [0, 0.5]', 'value'],
  ]);
  void outbox.close();
  assert.throws(() => action('push', {}), /push needs a server/);
});
