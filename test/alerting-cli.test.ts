// The alerting commands (alerts, ack, unack, silence, channel) against a real `oversee serve` process,
// with a real local webhook receiver for channel tests and deliveries.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startHttpReceiver, type HttpReceiver } from '../src/notify/testing.js';
import { freePort } from './agent-e2e-support.js';
import { makeTempDir, runOversee, startServerProcess, type ServerProcess } from './support/server.js';

let server: ServerProcess;
let token: string;
let rx: HttpReceiver;
let failing: HttpReceiver;
let configDir: string | undefined;

/** Runs `oversee ARGS --url URL --token TOKEN`. */
const cli = (...args: string[]): ReturnType<typeof runOversee> => runOversee([...args, '--url', server.url, '--token', token]);

async function api(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text === '' ? undefined : JSON.parse(text);
}

interface FeedEvent { id: number; checkId: number | null; status: string; event: { title: string } }

/** Polls the alert feed (through the CLI's --json) until an event with `title` is decided. */
async function waitForEvent(title: string, timeoutMs = 15_000): Promise<FeedEvent> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await cli('alerts', '--json');
    assert.equal(r.code, 0, r.stderr);
    const found = (JSON.parse(r.stdout) as { items: FeedEvent[] }).items.find((e) => e.event.title === title && e.status !== 'held');
    if (found) return found;
    if (Date.now() > until) throw new Error(`no decided event "${title}" within ${timeoutMs} ms: ${r.stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

before(async () => {
  rx = await startHttpReceiver();
  failing = await startHttpReceiver();
  failing.respond(500);
  // A short group window keeps deliveries quick (the default waits 10 s for more events of a host).
  configDir = await makeTempDir('oversee-alerting-cli-');
  const config = join(configDir, 'oversee.toml');
  await writeFile(config, '[alerting]\ngroup_window_s = 1\n');
  server = await startServerProcess({ args: ['--config', config] });
  assert.ok(server.adminToken, 'admin token printed on first start');
  token = server.adminToken;
  await api('POST', '/channels', { name: 'hook', type: 'webhook', url: rx.url, secret: 'do-not-print' });
  await api('POST', '/channels', { name: 'down', type: 'webhook', url: failing.url });
  await api('POST', '/routes', { name: 'all', channels: ['hook'] });
});
after(async () => {
  await server?.stop();
  await rx?.close();
  await failing?.close();
  for (const dir of [configDir, server?.dataDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('oversee channel', () => {
  test('list shows every channel as a table without secrets, or the JSON with --json', async () => {
    const r = await cli('channel', 'list');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+TYPE\s+ENABLED\s+ORIGIN\s+TARGET$/m);
    assert.match(r.stdout, new RegExp(`^hook\\s+webhook\\s+yes\\s+api\\s+${rx.url.replace(/[.]/g, '\\.')}$`, 'm'));
    assert.equal(r.stdout.includes('do-not-print'), false);
    const j = await cli('channel', 'list', '--json');
    assert.deepEqual((JSON.parse(j.stdout) as { items: Array<{ name: string }> }).items.map((c) => c.name), ['down', 'hook']);
    assert.equal(j.stdout.includes('do-not-print'), false);
  });

  test('test sends a test message through the channel to the real receiver', async () => {
    const before = rx.requests.length;
    const r = await cli('channel', 'test', 'hook');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /test message sent through channel hook/);
    const got = rx.requests.slice(before).map((q) => JSON.parse(q.body) as { events: Array<{ kind: string }> });
    assert.deepEqual(got.map((b) => b.events[0]?.kind), ['test']);
  });

  test('test exits non-zero naming the failure when the receiver answers 500, and for an unknown channel', async () => {
    const r = await cli('channel', 'test', 'down');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /channel down: the test message failed: .*500/);
    const unknown = await cli('channel', 'test', 'nope');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /404 OVS_ERR_NOT_FOUND: channel "nope" does not exist/);
  });
});

describe('oversee alerts, ack, unack', () => {
  test('a problem reported by a client shows in the feed, is delivered, and can be acknowledged and unacknowledged', async () => {
    const report = await runOversee(['-s', server.url, '-i', 'web1:key1', 'service-status', '3600', 'disk', 'ERR', '/ is full']);
    assert.equal(report.code, 0, report.stderr);
    const event = await waitForEvent('web1/disk: OK -> ERR');
    assert.equal(event.status, 'routed');
    assert.ok(event.checkId);
    const delivered = await rx.waitFor(2, 15_000);
    assert.ok(delivered.some((q) => q.body.includes('web1/disk: OK -> ERR')));

    const table = await cli('alerts', '--check', String(event.checkId), '--status', 'routed');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^ID\s+TIME\s+STATUS\s+KIND\s+CHECK\s+TITLE$/m);
    assert.match(table.stdout, new RegExp(`^${event.id}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\s+routed\\s+problem\\s+${event.checkId}\\s+web1/disk: OK -> ERR$`, 'm'));
    const none = await cli('alerts', '--status', 'silenced');
    assert.equal(none.stdout, 'no alert events\n');

    const ack = await cli('ack', String(event.checkId), '--comment', 'on it');
    assert.equal(ack.code, 0, ack.stderr);
    assert.match(ack.stdout, new RegExp(`acknowledged check ${event.checkId} as admin .*: on it`));
    const unack = await cli('unack', String(event.checkId));
    assert.equal(unack.code, 0, unack.stderr);
    assert.match(unack.stdout, new RegExp(`acknowledgement of check ${event.checkId} removed`));
  });

  test('paging: --limit 1 prints a --cursor line that continues the feed', async () => {
    await runOversee(['-s', server.url, '-i', 'web1:key1', 'service-status', '3600', 'disk', 'OK', 'fine']);
    await waitForEvent('web1/disk: ERR -> OK');
    const first = await cli('alerts', '--limit', '1');
    const cursor = /^more: --cursor (\S+)$/m.exec(first.stdout)?.[1];
    assert.ok(cursor, first.stdout);
    const second = await cli('alerts', '--limit', '1', '--cursor', cursor);
    assert.equal(second.code, 0, second.stderr);
    assert.notEqual(first.stdout.split('\n')[1], second.stdout.split('\n')[1]);
  });

  test('acknowledging an OK or unknown check exits non-zero with the server\'s reason', async () => {
    const table: Array<[string[], RegExp]> = [
      [['ack', '999999'], /404 OVS_ERR_NOT_FOUND: check 999999 does not exist/],
      [['ack', 'abc'], /CHECK_ID must be a positive integer/],
      [['alerts', '--status', 'lost'], /400 OVS_ERR_VALIDATION: status: must be one of/],
    ];
    for (const [args, message] of table) {
      const r = await cli(...args);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
    }
  });
});

describe('oversee silence', () => {
  test('add (--for, or --start/--end with --recur), list and remove', async () => {
    const a = await cli('silence', 'add', '--match', 'db-*:backup', '--for', '1h30m', '--comment', 'upgrade');
    assert.equal(a.code, 0, a.stderr);
    const id = /^silence (\d+) added: db-\*:backup from .* to .*$/m.exec(a.stdout)?.[1];
    assert.ok(id, a.stdout);
    const b = await cli('silence', 'add', '--match', 'web*', '--start', '2030-01-05T22:00:00Z', '--end', '2030-01-05T23:30:00Z', '--recur', 'daily');
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /web\*:\* from 2030-01-05 22:00:00Z to 2030-01-05 23:30:00Z, daily/);

    const list = await cli('silence', 'list');
    assert.match(list.stdout, /^ID\s+MATCH\s+PROJECT\s+STARTS\s+ENDS\s+RECUR\s+BY\s+COMMENT$/m);
    assert.match(list.stdout, new RegExp(`^${id}\\s+db-\\*:backup\\s+\\*\\s+.*none\\s+admin .*upgrade$`, 'm'));
    assert.match(list.stdout, /web\*:\*.*daily/);

    const rm = await cli('silence', 'remove', id);
    assert.equal(rm.code, 0, rm.stderr);
    assert.match(rm.stdout, new RegExp(`silence ${id} removed`));
    const again = await cli('silence', 'remove', id);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`404 OVS_ERR_NOT_FOUND: silence ${id} does not exist`));
    assert.doesNotMatch((await cli('silence', 'list')).stdout, /db-\*:backup/);
  });

  test('a silenced problem is recorded as silenced, not delivered', async () => {
    await cli('silence', 'add', '--match', 'quiet:*', '--for', '1h');
    const sent = rx.requests.length;
    await runOversee(['-s', server.url, '-i', 'quiet:k', 'service-status', '3600', 'x', 'ERR', 'down']);
    const event = await waitForEvent('quiet/x: OK -> ERR');
    assert.equal(event.status, 'silenced');
    assert.equal(rx.requests.slice(sent).some((q) => q.body.includes('quiet/x')), false);
  });

  const bad: Array<[string[], RegExp]> = [
    [['silence', 'add', '--match', 'x', '--for', 'soon'], /--for must be a duration like 90m/],
    [['silence', 'add', '--match', 'x'], /give either --end or --for/],
    [['silence', 'add', '--match', ':x', '--for', '1h'], /--match must be HOST_GLOB/],
    [['silence', 'add', '--match', 'x', '--for', '1h', '--recur', 'monthly'], /400 OVS_ERR_VALIDATION: recurrence: must be one of/],
    [['silence', 'add', '--match', 'x', '--start', 'tomorrow', '--for', '1h'], /400 OVS_ERR_VALIDATION: starts: must be a date-time/],
  ];
  for (const [args, message] of bad) {
    test(`${args.slice(2).join(' ')} exits non-zero: ${message.source}`, async () => {
      const r = await cli(...args);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, message);
    });
  }
});

describe('connection', () => {
  test('URL and token also come from -s, OVERSEE_URL and OVERSEE_TOKEN', async () => {
    const viaEnv = await runOversee(['channel', 'list'], { env: { OVERSEE_URL: server.url, OVERSEE_TOKEN: token } });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    assert.match(viaEnv.stdout, /^hook\s/m);
    const viaServer = await runOversee(['-s', server.url, 'channel', 'list', '--token', token]);
    assert.equal(viaServer.code, 0, viaServer.stderr);
  });

  test('a missing or wrong token and an unreachable server exit non-zero with a clear message', async () => {
    const port = await freePort();
    const table: Array<[string[], number, RegExp]> = [
      [['channel', 'list', '--url', server.url], 2, /no API token: pass --token/],
      [['channel', 'list', '--url', server.url, '--token', `ovs_${'A'.repeat(43)}`], 1, /401 OVS_ERR_UNAUTHORIZED/],
      [['alerts', '--url', `http://127.0.0.1:${port}`, '--token', token], 1, /cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/],
    ];
    for (const [args, code, message] of table) {
      const r = await runOversee(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });
});
