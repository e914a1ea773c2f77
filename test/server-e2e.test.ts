// The real `bin/oversee serve` process driven over raw HTTP: OverC answers, rejected input leaving
// no trace, configuration precedence across flag/env/file, bad settings stopping start-up, and a
// graceful SIGTERM with a request in flight.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openSqliteStore } from '../src/store/sqlite/index.js';
import { makeTempDir, runOversee, startServerProcess } from './support/server.js';
import type { ServerProcess } from './support/server.js';

interface Answer { status: number; body: unknown; headers: Record<string, string | string[] | undefined> }

/** POSTs `body` (a string is sent verbatim) as application/json. */
async function post(base: string, path: string, body: unknown): Promise<Answer> {
  const res = await fetch(new URL(path, base), {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* keep the text */ }
  return { status: res.status, body: parsed, headers: Object.fromEntries(res.headers) };
}

/** POSTs JSON text through `agent` (node:http) and resolves to the status code. */
function rawPost(base: string, path: string, body: string, agent: Agent): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const status = (name: string, key: string, services: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ server: { name, key }, period: 60, services, ...extra });

/** What the store holds: host names, check names per host, alert messages. */
async function storedFacts(dataDir: string): Promise<{ hosts: string[]; checks: string[]; alerts: string[] }> {
  const store = await openSqliteStore({ path: join(dataDir, 'oversee.db') });
  try {
    const hosts = (await store.hosts.list({ limit: 1000 })).items.map((h) => h.name);
    const checks = (await store.checks.list({ limit: 1000 })).items.map((c) => `${c.hostName}/${c.name}`);
    const alerts = (await store.history.alerts({ limit: 1000 })).items.map((a) => a.message);
    return { hosts, checks, alerts };
  } finally {
    await store.close();
  }
}

describe('OverC push API on a spawned server', () => {
  let server: ServerProcess;
  before(async () => { server = await startServerProcess({ args: ['--body-limit', '16KiB'] }); });
  after(async () => {
    await server?.stop();
    if (server) await rm(server.dataDir, { recursive: true, force: true });
  });

  test('accepts ping, a status report and an alert with 200 and stores them', async () => {
    const pong = await post(server.url, '/api/ping', { server: { name: 'web1', key: 'k1' } });
    assert.deepEqual([pong.status, pong.body], [200, { pong: 1 }]);
    const ok = await post(server.url, '/api/set/service/status', status('web1', 'k1', [
      { name: 'disk', state: 'OK', info: 'fine' }, { name: 'load', state: 'ERR', info: 'high', period: '30' }, { name: 'no-info', state: 'FAIL' },
    ]));
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { ok: 1 });
    const alert = await post(server.url, '/api/set/alerts', { server: { name: 'web1', key: 'k1' }, alerts: [{ message: 'disk replaced', service: 'disk' }] });
    assert.equal(alert.status, 200);
    assert.deepEqual(alert.body, { ok: 1 });
    const facts = await storedFacts(server.dataDir);
    assert.ok(facts.hosts.includes('web1'));
    for (const c of ['web1/disk', 'web1/load', 'web1/no-info']) assert.ok(facts.checks.includes(c), c);
    assert.ok(facts.alerts.includes('disk replaced'));
  });

  test('rejects bad requests with the right status and a message naming the problem, storing nothing', async () => {
    // The host "keyed" is registered first so that a later wrong key is a 403.
    assert.equal((await post(server.url, '/api/ping', { server: { name: 'keyed', key: 'right' } })).status, 200);
    const long = 'x'.repeat(300);
    const cases: Array<{ name: string; path: string; body: unknown; status: number; error: RegExp }> = [
      { name: 'malformed JSON', path: '/api/set/service/status', body: '{"server": {"name": "rejected-1", ', status: 400, error: /JSON/ },
      { name: 'empty body', path: '/api/ping', body: '', status: 400, error: /empty|JSON/i },
      { name: 'missing server', path: '/api/set/service/status', body: { period: 60, services: [{ name: 'rejected-2', state: 'OK' }] }, status: 400, error: /server/ },
      { name: 'empty server name', path: '/api/set/service/status', body: status('', 'k', [{ name: 'rejected-3', state: 'OK' }]), status: 400, error: /server\.name/ },
      { name: 'empty service name', path: '/api/set/service/status', body: status('rejected-4', 'k', [{ name: 'ok-name', state: 'OK' }, { name: '  ', state: 'OK' }]), status: 400, error: /services\[1\]\.name/ },
      { name: 'too-long server name', path: '/api/ping', body: { server: { name: long, key: 'k' } }, status: 400, error: /server\.name/ },
      { name: 'too-long service name', path: '/api/set/service/status', body: status('rejected-5', 'k', [{ name: long, state: 'OK' }]), status: 400, error: /services\[0\]\.name/ },
      { name: 'services not an array', path: '/api/set/service/status', body: status('rejected-6', 'k', [], { services: 'disk' }), status: 400, error: /services/ },
      { name: 'period not a number', path: '/api/set/service/status', body: status('rejected-7', 'k', [{ name: 'a', state: 'OK' }], { period: 'soon' }), status: 400, error: /period/ },
      { name: 'state not a string', path: '/api/set/service/status', body: status('rejected-8', 'k', [{ name: 'a', state: 3 }]), status: 400, error: /state/ },
      { name: 'server key not a string', path: '/api/ping', body: { server: { name: 'rejected-9', key: 5 } }, status: 400, error: /server\.key/ },
      { name: 'alert without message', path: '/api/set/alerts', body: { server: { name: 'rejected-10', key: 'k' }, alerts: [{ service: 'x' }] }, status: 400, error: /message/ },
      { name: 'wrong key for a status report', path: '/api/set/service/status', body: status('keyed', 'wrong', [{ name: 'rejected-11', state: 'OK' }]), status: 403, error: /^Invalid server key$/ },
      { name: 'wrong key for an alert', path: '/api/set/alerts', body: { server: { name: 'keyed', key: 'wrong' }, alerts: [{ message: 'rejected-12' }] }, status: 403, error: /^Invalid server key$/ },
      { name: 'body over the limit', path: '/api/set/service/status', body: status('rejected-13', 'k', [{ name: 'a', state: 'OK', info: 'y'.repeat(20 * 1024) }]), status: 413, error: /larger than/ },
    ];
    for (const c of cases) {
      const answer = await post(server.url, c.path, c.body);
      assert.equal(answer.status, c.status, `${c.name}: ${JSON.stringify(answer.body)}`);
      const error = (answer.body as { error?: unknown }).error;
      assert.equal(typeof error, 'string', `${c.name}: ${JSON.stringify(answer.body)}`);
      assert.match(error as string, c.error, c.name);
    }
    const facts = await storedFacts(server.dataDir);
    const leaked = [...facts.hosts, ...facts.checks, ...facts.alerts].filter((s) => s.includes('rejected') || s.includes('ok-name'));
    assert.deepEqual(leaked, []);
    assert.deepEqual(facts.checks.filter((c) => c.startsWith('keyed/')), []);
  });

  test('token create makes a working token in the running server\'s store and prints only the token on stdout', async () => {
    const made = await runOversee(['token', 'create', '--name', 'ci', '--role', 'editor', '--project', 'default', '--data', server.dataDir]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^ovs_[A-Za-z0-9_-]+\n$/);
    assert.match(made.stderr, /editor token "ci"/);
    const res = await fetch(new URL('/api/v1/checks', server.url), { headers: { authorization: `Bearer ${made.stdout.trim()}` } });
    assert.equal(res.status, 200, await res.text());
    const bogus = await fetch(new URL('/api/v1/checks', server.url), { headers: { authorization: 'Bearer ovs_not-a-real-token' } });
    assert.equal(bogus.status, 401);

    const failures: Array<{ args: string[]; message: RegExp }> = [
      { args: ['--project', 'nope', '--data', server.dataDir], message: /no project named "nope"/ },
      { args: ['--role', 'root', '--data', server.dataDir], message: /root/ },
      { args: ['--data', `${server.dataDir}-missing`], message: /no store at .*oversee\.db/ },
    ];
    for (const f of failures) {
      const r = await runOversee(['token', 'create', ...f.args]);
      assert.notEqual(r.code, 0, f.args.join(' '));
      assert.match(r.stderr, f.message);
      assert.equal(r.stdout, '');
    }
  });

  test('a second server on the same port exits 1 saying the address is in use', async () => {
    const dataDir = await makeTempDir('oversee-clash-');
    try {
      const r = await runOversee(['serve', '--port', new URL(server.url).port, '--data', dataDir]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /cannot listen on 127\.0\.0\.1:\d+: the address is already in use/);
      assert.doesNotMatch(r.stdout, /listening/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  test('keeps serving after every rejection', async () => {
    const answer = await post(server.url, '/api/set/service/status', status('web2', 'k2', [{ name: 'after', state: 'OK' }]));
    assert.equal(answer.status, 200);
    assert.ok((await storedFacts(server.dataDir)).checks.includes('web2/after'));
  });
});

describe('configuration of the spawned server', () => {
  const dirs: string[] = [];
  after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  /** Sends a status report whose body is about `bytes` long. */
  const sized = (base: string, bytes: number): Promise<Answer> => {
    const services = Array.from({ length: Math.ceil(bytes / 32768) }, (_, i) =>
      ({ name: `pad${i}`, state: 'OK', info: 'p'.repeat(Math.min(32768, bytes - i * 32768)) }));
    return post(base, '/api/set/service/status', status('sized', 'k', services));
  };

  test('a flag beats the environment, which beats the config file, which beats the default', async () => {
    const dir = await makeTempDir('oversee-config-e2e-');
    dirs.push(dir);
    const configFile = join(dir, 'oversee.toml');
    await writeFile(configFile, '[server]\nbody_limit = "4KiB"\nlog_level = "warn"\n');
    const cases: Array<{ name: string; args: string[]; env: Record<string, string>; fits: number; tooBig: number }> = [
      { name: 'default (1 MiB)', args: [], env: {}, fits: 900 * 1024, tooBig: 1100 * 1024 },
      { name: 'file (4 KiB)', args: ['--config', configFile], env: {}, fits: 3 * 1024, tooBig: 5 * 1024 },
      { name: 'env (8 KiB) over file', args: ['--config', configFile], env: { OVERSEE_BODY_LIMIT: '8KiB' }, fits: 6 * 1024, tooBig: 10 * 1024 },
      { name: 'config file named by env', args: [], env: { OVERSEE_CONFIG: configFile }, fits: 3 * 1024, tooBig: 5 * 1024 },
      { name: 'flag (16 KiB) over env and file', args: ['--config', configFile, '--body-limit', '16384'], env: { OVERSEE_BODY_LIMIT: '8KiB' }, fits: 12 * 1024, tooBig: 20 * 1024 },
    ];
    for (const c of cases) {
      const dataDir = await makeTempDir('oversee-config-data-');
      dirs.push(dataDir);
      const server = await startServerProcess({ dataDir, args: c.args, env: c.env });
      try {
        assert.equal((await sized(server.url, c.fits)).status, 200, `${c.name}: ${c.fits} bytes should fit`);
        assert.equal((await sized(server.url, c.tooBig)).status, 413, `${c.name}: ${c.tooBig} bytes should not`);
      } finally {
        await server.stop();
      }
    }
  });

  test('a bad setting stops start-up with a non-zero exit and a message naming the key', async () => {
    const dir = await makeTempDir('oversee-badconfig-');
    dirs.push(dir);
    const write = async (name: string, text: string): Promise<string> => { const p = join(dir, name); await writeFile(p, text); return p; };
    const cases: Array<{ name: string; args: string[]; env?: Record<string, string>; message: string }> = [
      { name: 'env port', args: [], env: { OVERSEE_PORT: 'abc' }, message: 'config: OVERSEE_PORT: must be an integer 0-65535, got "abc"' },
      { name: 'file port', args: ['--config', await write('port.toml', '[server]\nport = "abc"\n')], message: 'config: server.port: must be an integer 0-65535, got "abc"' },
      { name: 'unknown file key', args: ['--config', await write('unknown.toml', '[server]\ncolour = "blue"\n')], message: 'config: server.colour: unknown setting' },
      { name: 'flag log level', args: ['--log-level', 'loud'], message: 'config: --log-level: must be one of' },
      { name: 'unsupported store URL', args: ['--store', 'mysql://db/oversee'], message: 'config: --store: must be a SQLite file path or a postgres:// URL, got an unsupported URL scheme "mysql"' },
      { name: 'bad PostgreSQL schema', args: [], env: { OVERSEE_STORE: 'postgres://db/oversee?schema=Bad' }, message: 'config: OVERSEE_STORE: ?schema= must be a lower-case identifier' },
      { name: 'missing config file', args: ['--config', join(dir, 'nope.toml')], message: 'config: --config: cannot read config file' },
      { name: 'bad TOML', args: ['--config', await write('bad.toml', '[server\n')], message: 'not valid TOML at line 1' },
    ];
    await Promise.all(cases.map(async (c) => {
      const result = await runOversee(['serve', '--data', join(dir, 'data'), ...c.args], { env: c.env ?? {} });
      assert.equal(result.code, 2, `${c.name}: exit code (stderr: ${result.stderr})`);
      assert.ok(result.stderr.includes(c.message), `${c.name}: stderr was ${result.stderr}`);
      assert.doesNotMatch(result.stdout, /listening/, c.name);
    }));
  });
});

describe('graceful shutdown', () => {
  test('SIGINT and SIGTERM both stop an idle server with exit code 0 within a second or two', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const server = await startServerProcess();
      try {
        // An idle keep-alive connection (kept open by the client for a minute) must not hold the shutdown open.
        const agent = new Agent({ keepAlive: true, timeout: 60_000 });
        assert.equal(await rawPost(server.url, '/api/ping', JSON.stringify({ server: { name: 'idle', key: 'k' } }), agent), 200);
        const t0 = Date.now();
        const exit = await server.kill(signal);
        agent.destroy();
        assert.deepEqual(exit, { code: 0, signal: null }, `${signal}: ${server.output()}`);
        assert.ok(Date.now() - t0 < 5000, `${signal}: took ${Date.now() - t0} ms`);
      } finally {
        await rm(server.dataDir, { recursive: true, force: true });
      }
    }
  });

  test('SIGTERM stops accepting, lets the request in flight finish and store its report, and exits 0', async (t) => {
    const server = await startServerProcess();
    t.after(() => rm(server.dataDir, { recursive: true, force: true }));
    const body = JSON.stringify(status('inflight', 'k', [{ name: 'slow-upload', state: 'WARN', info: 'sent across a shutdown' }]));
    const { port, hostname } = new URL(server.url);

    // 1. Start a request and send only half of its body.
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: hostname, port, method: 'POST', path: '/api/set/service/status', agent: new Agent({ keepAlive: true, timeout: 60_000 }), headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => { text += c.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 40));
      setTimeout(() => req.end(body.slice(40)), 700);
    });
    await new Promise((r) => setTimeout(r, 200));

    // 2. SIGTERM while the request is in flight; new connections are refused soon after.
    server.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 250));
    await assert.rejects(fetch(new URL('/api/ping', server.url), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }));

    // 3. The request in flight completes, the process exits 0, and the report is in the store.
    const res = await answer;
    const answeredAt = Date.now();
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(JSON.parse(res.text), { ok: 1 });
    const exit = await server.exited;
    // A kept-alive client connection must not hold the shutdown open.
    assert.ok(Date.now() - answeredAt < 5000, `exit took ${Date.now() - answeredAt} ms after the answer`);
    assert.deepEqual(exit, { code: 0, signal: null }, server.output());
    assert.match(server.output(), /shutting down/);
    assert.ok((await storedFacts(server.dataDir)).checks.includes('inflight/slow-upload'));
  });
});
