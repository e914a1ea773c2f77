// End to end: `[limits] max_series` in the config file reaches the Graphite listener the server starts
// (runtime wiring): new series over the limit are not stored, the drops show in /metrics, and a
// warning names the project and the count.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { resolveConfig } from '../config/load.js';
import { startServer } from '../server/start.js';
import { freeTcpPort } from './samples-test-support.js';

test('a server with [limits] max_series = 2 keeps 2 of 4 new Graphite series, counts 2 drops and warns once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'oversee-limits-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const graphitePort = await freeTcpPort();
  const config = resolveConfig({
    cwd: dir, env: {}, file: { path: join(dir, 'oversee.toml'), text: '[limits]\nmax_series = 2\n' },
    flags: { port: '0', statsdPort: '0', graphitePort: String(graphitePort), data: join(dir, 'data') },
  });
  const logLines: string[] = [];
  const logger = pino({ level: 'warn' }, new Writable({ write(chunk: Buffer, _enc, done) { logLines.push(chunk.toString('utf8')); done(); } }));
  const printed: string[] = [];
  const server = await startServer(config, { logger, print: (l) => printed.push(l) });
  let closed = false;
  try {
    const token = /ovs_[A-Za-z0-9_-]+/.exec(printed.join('\n'))?.[0];
    assert.ok(token, 'admin token printed');
    const now = Math.floor(Date.now() / 1000);
    await new Promise<void>((resolve, reject) => {
      const c = connect(graphitePort, '127.0.0.1', () => c.end(['a', 'b', 'c', 'd'].map((p) => `lim.${p} 1 ${now}\n`).join('')));
      c.on('error', reject);
      c.on('close', () => resolve());
      c.resume();
    });
    const res = await fetch(new URL('/api/v1/series?prefix=lim.', server.url), { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, await res.clone().text());
    const body = await res.json() as { items: { name: string }[] };
    assert.deepEqual(body.items.map((s) => s.name), ['lim.a', 'lim.b']);
    const metrics = await (await fetch(new URL('/metrics', server.url))).text();
    assert.match(metrics, /oversee_reports_rejected_total\{protocol="graphite",reason="quota"\} 2\n/);
    await server.close();
    closed = true;
  } finally {
    if (!closed) await server.close();
  }
  const warnings = logLines.map((l) => JSON.parse(l) as { level: number; protocol?: string; project?: string; dropped?: number }).filter((l) => l.dropped !== undefined);
  assert.deepEqual(warnings.map((w) => [w.level, w.protocol, w.project, w.dropped]), [[40, 'graphite', 'default', 2]], 'one warning (reported at shutdown at the latest)');
});
