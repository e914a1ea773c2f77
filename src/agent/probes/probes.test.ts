import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTcpServer } from 'node:net';
import { existsSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { PROBES } from './registry.js';
import { GomaMonitorError } from '../../protocols/goma-monitor.js';
import { startRecordingServer } from '../../client/test-support/recording-server.js';

const origin = { file: 'test.toml', index: 0 };
function probe(type: string, params: Record<string, unknown>): ReturnType<NonNullable<ReturnType<typeof PROBES.get>>['create']> {
  const f = PROBES.get(type);
  assert.ok(f, type);
  return f.create(params, origin, 'monitor[0].probe');
}

test('exec: 0 on success, 1 on failure; with parse, stdout or errval', async () => {
  const table: Array<{ params: Record<string, unknown>; value: number }> = [
    { params: { command: '/bin/true' }, value: 0 },
    { params: { command: '/bin/false' }, value: 1 },
    { params: { command: '/bin/sh', args: ['-c', 'echo 0.25'], parse: true }, value: 0.25 },
    { params: { command: '/bin/sh', args: ['-c', 'echo abc'], parse: true, errval: 7 }, value: 7 },
    { params: { command: '/bin/sh', args: ['-c', 'echo 3; exit 1'], parse: true, errval: 9 }, value: 9 },
    { params: { command: '/nonexistent' }, value: 1 },
    { params: { command: '/bin/sh', args: ['-c', 'echo $FOO'], parse: true, env: ['FOO=42'] }, value: 42 },
  ];
  for (const row of table) assert.equal((await probe('exec', row.params).probe(5000)).value, row.value, JSON.stringify(row.params));
});

test('exec: a hanging command is killed at the timeout and counts as failure', async () => {
  const t0 = Date.now();
  assert.equal((await probe('exec', { command: '/bin/sleep', args: ['30'] }).probe(200)).value, 1);
  assert.equal((await probe('exec', { command: '/bin/sleep', args: ['30'], parse: true, errval: -5 }).probe(200)).value, -5);
  assert.ok(Date.now() - t0 < 3000);
});

test('http: 0 on 2xx, 1 otherwise; parse reads the body; header and agent are sent', async () => {
  const srv = await startRecordingServer((r) => (r.url === '/ok' ? { body: '0.75' } : r.url === '/slow' ? { body: 'x' } : { status: 503, body: 'down' }));
  try {
    assert.equal((await probe('http', { url: `${srv.url}/ok`, header: { 'X-A': 'b' }, agent: 'probe/1' }).probe(5000)).value, 0);
    assert.equal(srv.requests[0]?.headers['x-a'], 'b');
    assert.equal(srv.requests[0]?.headers['user-agent'], 'probe/1');
    assert.equal((await probe('http', { url: `${srv.url}/bad` }).probe(5000)).value, 1);
    assert.equal((await probe('http', { url: `${srv.url}/ok`, parse: true }).probe(5000)).value, 0.75);
    assert.equal((await probe('http', { url: `${srv.url}/bad`, parse: true, errval: 99 }).probe(5000)).value, 99);
    assert.equal((await probe('http', { url: `${srv.url}/ok`, method: 'post' }).probe(5000)).value, 0);
    assert.equal(srv.requests.at(-1)?.method, 'POST');
    assert.equal((await probe('http', { url: 'http://127.0.0.1:9/' }).probe(2000)).value, 1);
  } finally {
    await srv.close();
  }
});

test('http: proxy gets absolute-form requests for http URLs', async () => {
  const proxy = await startRecordingServer(() => ({ body: 'ok' }));
  try {
    const r = await probe('http', { url: 'http://example.invalid/path?q=1', proxy: proxy.url }).probe(5000);
    assert.equal(r.value, 0);
    assert.equal(proxy.requests[0]?.url, 'http://example.invalid/path?q=1');
    assert.throws(() => probe('http', { url: 'https://x/', proxy: proxy.url }), /proxy is supported for http:\/\/ URLs only/);
  } finally {
    await proxy.close();
  }
});

test('tcp: connect time in seconds; refused gives errval (default −1)', async () => {
  const server = createTcpServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  assert.ok(addr && typeof addr === 'object');
  try {
    const ok = await probe('tcp', { host: '127.0.0.1', port: addr.port }).probe(2000);
    assert.ok(ok.value >= 0 && ok.value < 1, String(ok.value));
    assert.equal(ok.metrics?.[0]?.name, 'connect_time');
  } finally {
    server.close();
  }
  assert.equal((await probe('tcp', { host: '127.0.0.1', port: addr.port }).probe(2000)).value, -1);
  assert.equal((await probe('tcp', { host: '127.0.0.1', port: addr.port, errval: 5 }).probe(2000)).value, 5);
  assert.throws(() => probe('tcp', { host: 'x', port: 70000 }), /1\.\.65535/);
});

// A tiny authoritative DNS server over real UDP answering A queries for one name.
async function dnsServer(name: string, ip: string): Promise<{ port: number; close(): void }> {
  const sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const id = msg.subarray(0, 2);
    let off = 12;
    const labels: string[] = [];
    while (msg[off] !== 0 && off < msg.length) { const len = msg[off] ?? 0; labels.push(msg.subarray(off + 1, off + 1 + len).toString()); off += len + 1; }
    const question = msg.subarray(12, off + 5);
    const found = labels.join('.') === name;
    const header = Buffer.from([0, 0, 0x81, found ? 0x80 : 0x83, 0, 1, 0, found ? 1 : 0, 0, 0, 0, 0]);
    id.copy(header, 0);
    const answer = found ? Buffer.concat([Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]), Buffer.from(ip.split('.').map(Number))]) : Buffer.alloc(0);
    sock.send(Buffer.concat([header, question, answer]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { port: sock.address().port, close: () => sock.close() };
}

test('dns: resolution time against a given server; wrong answer or NXDOMAIN gives errval', async () => {
  const dns = await dnsServer('svc.test', '10.1.2.3');
  try {
    const server = `127.0.0.1:${dns.port}`;
    const ok = await probe('dns', { name: 'svc.test', server, expect: ['10.1.2.3'] }).probe(2000);
    assert.ok(ok.value >= 0 && ok.value < 1, ok.info);
    assert.match(ok.info ?? '', /10\.1\.2\.3/);
    assert.equal((await probe('dns', { name: 'svc.test', server, expect: ['10.9.9.9'] }).probe(2000)).value, -1);
    assert.equal((await probe('dns', { name: 'nope.test', server }).probe(2000)).value, -1);
  } finally {
    dns.close();
  }
  assert.throws(() => probe('dns', { name: 'x', record: 'BOGUS' }), /unknown record type/);
});

const PLUGINS = '/usr/lib/nagios/plugins';
const havePlugins = existsSync(`${PLUGINS}/check_dummy`);
if (!havePlugins && process.env['CI'] === 'true') throw new Error(`monitoring-plugins-basic is required in CI (${PLUGINS}/check_dummy missing)`);
if (!havePlugins) console.log(`# skipping nagios probe tests: ${PLUGINS}/check_dummy not installed (apt-get install monitoring-plugins-basic)`);

test('nagios: exit code is the value, state/info/perfdata travel along; perfdata picks a value', { skip: !havePlugins && 'monitoring-plugins-basic not installed' }, async () => {
  const warn = await probe('nagios', { command: `${PLUGINS}/check_dummy`, args: ['1', 'careful'] }).probe(5000);
  assert.deepEqual(warn, { value: 1, state: 'WARN', info: 'WARNING: careful', metrics: [] });
  const load = await probe('nagios', { command: `${PLUGINS}/check_load`, args: ['-w', '99,99,99', '-c', '100,100,100'], perfdata: 'load1' }).probe(5000);
  assert.equal(load.state, 'OK');
  assert.deepEqual(load.metrics?.map((m) => m.name), ['load1', 'load5', 'load15']);
  assert.equal(load.value, load.metrics?.[0]?.value);
  const missing = await probe('nagios', { command: `${PLUGINS}/check_dummy`, args: ['0'], perfdata: 'nope', errval: 42 }).probe(5000);
  assert.equal(missing.value, 42);
  const crit = await probe('nagios', { command: `${PLUGINS}/check_tcp`, args: ['-H', '127.0.0.1', '-p', '9'] }).probe(5000);
  assert.equal(crit.value, 2);
  assert.equal(crit.state, 'FAIL');
});

test('every probe rejects unknown and mistyped parameters naming the key', () => {
  const table: Array<[string, Record<string, unknown>, RegExp]> = [
    ['exec', { command: 'x', comand: 'y' }, /monitor\[0\]\.probe\.comand: unknown key/],
    ['exec', {}, /monitor\[0\]\.probe\.command: missing required key/],
    ['http', { url: 'http://x/', parse: 'yes' }, /monitor\[0\]\.probe\.parse: expected true or false/],
    ['http', { url: 'not a url' }, /monitor\[0\]\.probe\.url: invalid URL/],
    ['tcp', { host: 'x', port: '80' }, /monitor\[0\]\.probe\.port: expected a number/],
    ['dns', { name: 'x', expect: '1.2.3.4' }, /monitor\[0\]\.probe\.expect: expected a list of strings/],
    ['nagios', { command: 'x', args: [1] }, /monitor\[0\]\.probe\.args: expected a list of strings/],
  ];
  for (const [type, params, re] of table) assert.throws(() => probe(type, params), (e: unknown) => e instanceof GomaMonitorError && re.test(e.message), `${type} ${JSON.stringify(params)}`);
});
