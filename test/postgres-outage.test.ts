// PostgreSQL going away and coming back, simulated with a TCP proxy in front of the real server (the
// shared server itself is never restarted): work fails fast with OVS_ERR_UNAVAILABLE while it is
// gone, nothing acknowledged is lost, and the same store works again once it is back.
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { OverseeError } from '../src/errors.js';
import { openPostgresStore } from '../src/store/postgres/index.js';
import { dropSchema, freshSchemaName, pgSkipReason, pgTestUrl } from '../src/store/postgres/test-support.js';

const url = pgTestUrl();
const skip = await pgSkipReason(url);

/** A TCP proxy to the PostgreSQL server that can be cut (listener closed, connections destroyed) and resumed on the same port. */
async function startProxy(target: URL): Promise<{ port: number; cut(): Promise<void>; resume(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const listen = () => new Promise<void>((resolve) => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => s.destroy()); }
      client.pipe(upstream).pipe(client);
    });
    server.listen(port, '127.0.0.1', () => { port = (server?.address() as { port: number }).port; resolve(); });
  });
  await listen();
  return {
    port,
    cut: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server?.close(() => resolve()); }),
    resume: listen,
  };
}

describe('PostgreSQL outage (through a proxy that is cut and resumed)', { skip: skip ?? false }, () => {
  test('fails fast while the server is gone, keeps what was acknowledged, recovers without a restart', async () => {
    const schema = freshSchemaName();
    const target = new URL(url);
    const proxy = await startProxy(target);
    const viaProxy = new URL(url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const store = await openPostgresStore({ url: viaProxy.toString(), schema, poolSize: 4 });
    try {
      const project = (await store.projects.getByName('default'))!;
      const host = await store.hosts.register(project.id, 'h', null, 1);
      const report = (i: number) => store.ingest.reportStates({ hostId: host.id, at: i, address: null, source: 'api',
        services: [{ name: `c${i % 7}`, state: i % 3 ? 'OK' : 'ERR', info: `r${i}`, periodS: 60 }] });
      const acked: number[] = [];
      await Promise.all(Array.from({ length: 30 }, (_, i) => report(i).then(() => acked.push(i))));

      await proxy.cut();
      const t0 = performance.now();
      const during = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => report(100 + i)));
      const took = performance.now() - t0;
      assert.ok(during.every((r) => r.status === 'rejected' && r.reason instanceof OverseeError && r.reason.code === 'OVS_ERR_UNAVAILABLE'),
        'every call while the server is gone answers unavailable');
      assert.ok(took < 3000, `failed fast (${Math.round(took)} ms for 30 calls)`);
      await assert.rejects(store.checks.list({ limit: 1 }), (e: unknown) => e instanceof OverseeError && e.code === 'OVS_ERR_UNAVAILABLE');

      await proxy.resume();
      await Promise.all(Array.from({ length: 30 }, (_, i) => report(200 + i).then(() => acked.push(200 + i))));
      const infos = new Set<string>();
      for (let id = 0; id < 7; id++) {
        const c = await store.checks.getByName(host.id, `c${id}`);
        for (const r of (await store.history.stateReports(c!.id, { limit: 1000 })).items) infos.add(r.info);
      }
      for (const i of acked) assert.ok(infos.has(`r${i}`), `acknowledged report ${i} kept`);
      assert.equal(acked.length, 60);
    } finally {
      await store.close().catch(() => undefined);
      await proxy.cut();
      await dropSchema(url, schema);
    }
  });
});
