import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { StatsdClient } from './statsd.js';

async function receiver(): Promise<{ port: number; packets: string[]; close(): void }> {
  const sock = createSocket('udp4');
  const packets: string[] = [];
  sock.on('message', (m) => packets.push(m.toString('utf8')));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { port: sock.address().port, packets, close: () => sock.close() };
}

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
}

test('sends every metric type with prefix, sample rate and tags over real UDP', async () => {
  const rx = await receiver();
  const c = new StatsdClient({ port: rx.port, prefix: 'web1.', tags: { env: 'prod' }, random: () => 0 });
  c.increment('hits');
  c.increment('hits', 3, { sampleRate: 0.5, tags: { path: '/a' } });
  c.gauge('temp', 21.5);
  c.gauge('temp', 2, { delta: true });
  c.gauge('temp', -2, { delta: true });
  c.timing('req', 12);
  c.histogram('size', 512);
  c.set('users', 'u:1');
  await c.close();
  await waitFor(() => rx.packets.length > 0);
  rx.close();
  assert.deepEqual(rx.packets.join('\n').split('\n'), [
    'web1.hits:1|c|#env:prod',
    'web1.hits:3|c|@0.5|#env:prod,path:/a',
    'web1.temp:21.5|g|#env:prod',
    'web1.temp:+2|g|#env:prod',
    'web1.temp:-2|g|#env:prod',
    'web1.req:12|ms|#env:prod',
    'web1.size:512|h|#env:prod',
    'web1.users:u_1|s|#env:prod',
  ]);
});

test('packs lines into datagrams no larger than the limit and drops unsampled metrics', async () => {
  const rx = await receiver();
  const c = new StatsdClient({ port: rx.port, maxDatagramBytes: 64, random: () => 0.9 });
  for (let i = 0; i < 20; i++) c.increment(`metric.number.${i}`);
  c.increment('never', 1, { sampleRate: 0.5 });
  await c.close();
  await waitFor(() => rx.packets.join('\n').split('\n').length >= 20);
  rx.close();
  assert.ok(rx.packets.length > 1);
  for (const p of rx.packets) assert.ok(Buffer.byteLength(p) <= 64, p);
  const lines = rx.packets.join('\n').split('\n');
  assert.equal(lines.length, 20);
  assert.ok(!lines.some((l) => l.startsWith('never')));
});

test('names containing protocol characters are made safe', () => {
  const c = new StatsdClient();
  assert.equal(c.format('a:b|c@d#e', '1', 'c'), 'a_b_c_d_e:1|c');
  void c.close();
});
