// A real `oversee serve` process: points put through OpenTSDB `POST /api/put` (the byte-level fast
// path, a parser thread for a large body, the reference path a ?details put takes) reach a live stream (GET /api/v1/live) as
// `samples` events within a second: the newest accepted point per series, never a refused one.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { LiveSample } from '../src/live/events.js';
import { requestJson } from './support/http-json.js';
import { startServerProcess, type ServerProcess } from './support/server.js';

/** The `samples` events of an SSE stream as they arrive. */
class SampleStream {
  readonly events: LiveSample[][] = [];
  private text = '';
  private hello = false;
  private readonly ac = new AbortController();
  private wake: (() => void) | null = null;
  private reading: Promise<void> = Promise.resolve();

  async open(base: string, token: string): Promise<void> {
    const res = await fetch(new URL('/api/v1/live', base), { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: this.ac.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    this.reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        this.text += Buffer.from(value).toString('utf8');
        let end: number;
        while ((end = this.text.indexOf('\n\n')) >= 0) {
          const frame = this.text.slice(0, end);
          this.text = this.text.slice(end + 2);
          if (/^event: hello$/m.test(frame)) this.hello = true;
          if (/^event: samples$/m.test(frame)) {
            const data = /^data: (.*)$/m.exec(frame)![1]!;
            this.events.push((JSON.parse(data) as { samples: LiveSample[] }).samples);
          }
          this.wake?.();
        }
      }
    })().catch(() => undefined);
    assert.ok(await this.until(() => this.hello, 5000), 'subscribed');
  }

  /** Waits until `ok()` holds (checked on each frame), at most `ms`. */
  async until(ok: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!ok()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.wake = () => { clearTimeout(t); r(); };
      });
    }
    return true;
  }

  async close(): Promise<void> {
    this.ac.abort();
    await this.reading;
  }
}

describe('OpenTSDB puts stream live (a real oversee serve)', () => {
  let server: ServerProcess;
  let token: string;
  const stream = new SampleStream();
  const T = Math.floor(Date.now() / 1000) - 60; // seconds, a minute ago

  before(async () => {
    server = await startServerProcess();
    assert.ok(server.adminToken, server.output());
    token = server.adminToken;
    await stream.open(server.url, token);
  });
  after(async () => {
    await stream.close();
    await server?.stop();
    if (server) await rm(server.dataDir, { recursive: true, force: true });
  });

  const byName = (prefix: string): LiveSample[] => stream.events.flat().filter((s) => s.name.startsWith(prefix));

  test('a plain put (the fast path): the newest accepted point per series arrives within a second', async () => {
    const put = await requestJson(server.url, '/api/put?summary', { body: [
      { metric: 'live.fast.cpu', timestamp: T, value: 1.5, tags: { host: 'web1', dc: 'x' } },
      { metric: 'live.fast.cpu', timestamp: T + 10, value: 2.5, tags: { host: 'web1', dc: 'x' } },
      { metric: 'live.fast.cpu', timestamp: T + 5, value: 9, tags: { host: 'web1', dc: 'x' } }, // older than the one before
      { metric: 'live.fast.cpu', timestamp: T + 10, value: 7, tags: { host: 'web2' } },
      { metric: 'live.fast.old', timestamp: T - 90 * 86_400, value: 3, tags: { host: 'web1' } }, // older than the raw retention: refused
    ] });
    const answered = Date.now();
    assert.deepEqual(put, { status: 400, body: { success: 4, failed: 1 } }, 'as OpenTSDB answers a put with a failed point');
    assert.ok(await stream.until(() => byName('live.fast.cpu').length >= 2, 5000), `no samples event: ${JSON.stringify(stream.events)}\n${server.output()}`);
    const after = Date.now() - answered;
    assert.ok(after < 1000, `took ${after} ms`);
    assert.deepEqual(byName('live.fast.').sort((a, b) => a.v - b.v), [
      { name: 'live.fast.cpu', tags: { host: 'web1', dc: 'x' }, t: (T + 10) * 1000, v: 2.5 },
      { name: 'live.fast.cpu', tags: { host: 'web2' }, t: (T + 10) * 1000, v: 7 },
    ]);
    // A later put of a known series: only its new point.
    assert.equal((await requestJson(server.url, '/api/put', { body: { metric: 'live.fast.cpu', timestamp: T + 20, value: 3.5, tags: { dc: 'x', host: 'web1' } } })).status, 204);
    assert.ok(await stream.until(() => byName('live.fast.cpu').length >= 3, 5000));
    assert.deepEqual(byName('live.fast.cpu').slice(2), [{ name: 'live.fast.cpu', tags: { host: 'web1', dc: 'x' }, t: (T + 20) * 1000, v: 3.5 }]);
  });

  test('a large put (parsed in a parser thread where the machine has them) streams every series, several events', async () => {
    const n = 700;
    const body = Array.from({ length: n }, (_, i) => ({ metric: 'live.big.req', timestamp: T + 30, value: i, tags: { host: `host-${String(i).padStart(4, '0')}`, dc: 'frankfurt-1' } }));
    assert.ok(JSON.stringify(body).length >= 32 * 1024, 'over the parser-thread threshold (OPENTSDB_WORKER_MIN_BYTES)');
    const before = stream.events.length;
    assert.equal((await requestJson(server.url, '/api/put', { body })).status, 204);
    assert.ok(await stream.until(() => byName('live.big.').length >= n, 5000), `got ${byName('live.big.').length} of ${n}`);
    assert.deepEqual(stream.events.slice(before).map((e) => e.length), [500, 200]);
    assert.deepEqual(byName('live.big.').map((s) => s.v).sort((a, b) => a - b), body.map((p) => p.value));
  });

  test('puts one after another, each out of order with refused points: only accepted points, each series once per event, the newest last', async () => {
    const accepted = new Set<string>();
    const before = stream.events.length;
    for (let r = 0; r < 8; r++) {
      const body = [];
      for (const host of ['a', 'b', 'c']) {
        const base = T + 100 + r * 10;
        body.push({ metric: 'live.seq.x', timestamp: base + 5, value: r * 100 + 5, tags: { host } }); // this put's newest
        body.push({ metric: 'live.seq.x', timestamp: base + 1, value: r * 100 + 1, tags: { host } });
        body.push({ metric: 'live.seq.x', timestamp: T + 2 * 86_400, value: -1, tags: { host } }); // too far in the future: refused
        for (const p of body.slice(-3, -1)) accepted.add(`${host}@${p.timestamp * 1000}=${p.value}`);
      }
      assert.deepEqual(await requestJson(server.url, '/api/put?summary', { body }), { status: 400, body: { success: 6, failed: 3 } });
      if (r % 3 === 0) await new Promise((res) => setTimeout(res, 300)); // some puts in an interval of their own
    }
    const last = (host: string) => byName('live.seq.').filter((s) => s.tags.host === host).at(-1);
    assert.ok(await stream.until(() => ['a', 'b', 'c'].every((h) => last(h)?.v === 705), 5000), JSON.stringify(byName('live.seq.')));
    for (const e of stream.events.slice(before)) {
      const hosts = e.filter((s) => s.name === 'live.seq.x').map((s) => s.tags.host);
      assert.equal(new Set(hosts).size, hosts.length, 'a series once per event');
    }
    for (const s of byName('live.seq.')) assert.ok(accepted.has(`${s.tags.host}@${s.t}=${s.v}`), `not an accepted point: ${JSON.stringify(s)}`);
  });

  test('a ?details put (the reference path) streams too', async () => {
    const put = await requestJson(server.url, '/api/put?details', { body: [{ metric: 'live.ref.mem', timestamp: T, value: 42, tags: { host: 'db1' } }] });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.ok(await stream.until(() => byName('live.ref.').length >= 1, 5000), `no samples event: ${JSON.stringify(stream.events)}`);
    assert.deepEqual(byName('live.ref.'), [{ name: 'live.ref.mem', tags: { host: 'db1' }, t: T * 1000, v: 42 }]);
  });
});
