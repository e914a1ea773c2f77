// The SSE endpoint on a real listening server: a pushed OverC report arrives as a `check` event
// within a second, authentication is required, and Last-Event-ID resumes without a gap.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { appFixture, type AppFixture } from '../test-support/app-fixture.js';
import { addUser, login } from '../users/test-support/session.js';
import { MemoryLiveEvents } from './events.js';

/** Reads SSE frames from a streaming fetch until `until` returns true or the time runs out. */
async function readFrames(res: Response, until: (frames: string[]) => boolean, timeoutMs = 3000): Promise<string[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const frames: string[] = [];
  let buf = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (!until(frames)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; frames so far: ${JSON.stringify(frames)}`);
      const chunk = await Promise.race([reader.read(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`timed out; frames: ${JSON.stringify(frames)}`)), left))]);
      if (chunk.done) break;
      buf += decoder.decode(chunk.value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        frames.push(buf.slice(0, i));
        buf = buf.slice(i + 2);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return frames;
}

describe('GET /api/v1/live', () => {
  let f: AppFixture;
  let base: string;
  let cookie: string;
  const live = new MemoryLiveEvents();
  before(async () => {
    f = await appFixture({ live });
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(f.app.server.address() as AddressInfo).port}`;
    await addUser(f.store, 'ann', 'viewer');
    cookie = (await login(f.app, 'ann')).cookie;
  });
  after(async () => { await f.close(); });

  test('answers 401 without a session or token', async () => {
    const res = await fetch(`${base}/api/v1/live`);
    assert.equal(res.status, 401);
    await res.body?.cancel();
  });

  test('a check reported over the OverC API arrives as a check event within one second', async () => {
    // Register the host first: its first-use key hashing is ingest's cost, not the stream's.
    await fetch(`${base}/api/ping`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ server: { name: 'web1', key: 'k' } }) });
    const res = await fetch(`${base}/api/v1/live`, { headers: { cookie } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const started = Date.now() + 50;
    setTimeout(() => {
      void fetch(`${base}/api/set/service/status`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ server: { name: 'web1', key: 'k' }, period: 60, services: [{ name: 'disk', state: 'ERR', info: 'full' }] }),
      });
    }, 50);
    const frames = await readFrames(res, (fr) => fr.some((x) => x.includes('event: check')));
    const frame = frames.find((x) => x.includes('event: check'))!;
    const data = JSON.parse(frame.split('\n').find((l) => l.startsWith('data: '))!.slice(6));
    assert.equal(data.check.name, 'disk');
    assert.equal(data.check.state, 'ERR');
    assert.equal(data.check.hostName, 'web1');
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  });

  test('Last-Event-ID replays the events published while disconnected', async () => {
    const last = live.lastId();
    live.publish({ type: 'severe', projectId: 1, key: 'a', title: 'A', message: 'm', active: true, at: 1 });
    live.publish({ type: 'severe', projectId: 1, key: 'b', title: 'B', message: 'm', active: true, at: 2 });
    const res = await fetch(`${base}/api/v1/live`, { headers: { cookie, 'last-event-id': String(last) } });
    const frames = await readFrames(res, (fr) => fr.filter((x) => x.includes('event: severe')).length >= 2);
    const ids = frames.filter((x) => x.includes('event: severe')).map((x) => Number(/^id: (\d+)/m.exec(x)?.[1]));
    assert.deepEqual(ids, [last + 1, last + 2]);
  });

  test('events of another project are not sent to a project-limited caller', async () => {
    const other = await f.store.projects.create('other', f.clock.now());
    await addUser(f.store, 'pat', 'viewer', other.id);
    const pat = await login(f.app, 'pat');
    const res = await fetch(`${base}/api/v1/live`, { headers: { cookie: pat.cookie } });
    live.publish({ type: 'severe', projectId: 1, key: 'hidden', title: 'H', message: 'm', active: true, at: 3 });
    live.publish({ type: 'severe', projectId: other.id, key: 'shown', title: 'S', message: 'm', active: true, at: 4 });
    const frames = await readFrames(res, (fr) => fr.some((x) => x.includes('"shown"')));
    assert.equal(frames.some((x) => x.includes('"hidden"')), false);
  });

  test('the server closes with a stream open', async () => {
    const g = await appFixture();
    await g.app.listen({ host: '127.0.0.1', port: 0 });
    await addUser(g.store, 'ann', 'viewer');
    const s = await login(g.app, 'ann');
    const res = await fetch(`http://127.0.0.1:${(g.app.server.address() as AddressInfo).port}/api/v1/live`, { headers: { cookie: s.cookie } });
    assert.equal(res.status, 200);
    const t = Date.now();
    await g.close();
    assert.ok(Date.now() - t < 2000);
    await res.body?.cancel().catch(() => undefined);
  });
});
