// Acknowledged means durable: reports and alerts answered 200 survive a SIGKILL of the server that comes
// right after the answers, while other reports are still in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { startServerProcess } from './support/server.js';

interface CheckView { name: string; hostName: string; state: string; info: string }

/** Every item of a paged /api/v1 list, following the cursor. */
async function allItems<T>(base: string, path: string, token: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const url = new URL(path, base);
    url.searchParams.set('limit', '1000');
    if (cursor !== null) url.searchParams.set('cursor', cursor);
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, await res.clone().text());
    const page = (await res.json()) as { items: T[]; nextCursor: string | null };
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

const STATES = ['OK', 'WARN', 'ERR', 'UNK'] as const;

test('every status report and alert acknowledged before a SIGKILL is there after a restart', async (t) => {
  const first = await startServerProcess();
  t.after(() => rm(first.dataDir, { recursive: true, force: true }));
  assert.ok(first.adminToken, 'a fresh data dir prints an admin token');
  const WORKERS = 8;
  const KILL_AFTER = 400;

  // 1. Each worker sends reports one after another: a new check per report, plus a shared check per
  //    worker whose state changes every time, and every third request is an alert instead. The
  //    server is killed inside the callback of the KILL_AFTER-th 200, while the other workers'
  //    requests are in flight.
  const acked: Array<{ host: string; name: string; info: string }> = [];
  const ackedAlerts: string[] = [];
  const lastAckedState = new Map<string, string>();
  const inFlightState = new Map<string, string>();
  let killed = false;
  const worker = async (w: number): Promise<void> => {
    const host = `dur-${w}`;
    for (let seq = 0; !killed; seq++) {
      if (seq % 3 === 2) {
        const message = `alert ${w}/${seq}`;
        let status: number;
        try {
          const res = await fetch(new URL('/api/set/alerts', first.url), {
            method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ server: { name: host, key: `key-${w}` }, alerts: [{ message }] }),
          });
          status = res.status;
          await res.arrayBuffer();
        } catch {
          return;
        }
        if (status !== 200 || killed) return;
        ackedAlerts.push(message);
        continue;
      }
      const name = `svc-${seq}`;
      const info = `ack ${w}/${seq}`;
      const state = STATES[seq % STATES.length] ?? 'OK';
      inFlightState.set(host, state);
      const body = { server: { name: host, key: `key-${w}` }, period: 60, services: [{ name, state: 'OK', info }, { name: 'flapper', state, info }] };
      let status: number;
      try {
        const res = await fetch(new URL('/api/set/service/status', first.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        return; // the server is gone: this report was never acknowledged
      }
      if (status !== 200 || killed) return;
      acked.push({ host, name, info });
      lastAckedState.set(host, state);
      if (acked.length >= KILL_AFTER) {
        killed = true;
        first.proc.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  const exit = await first.exited;
  assert.equal(exit.signal, 'SIGKILL', first.output());
  assert.ok(acked.length >= KILL_AFTER);

  // 2. Restart on the same data dir; the admin token from the first start still works.
  const second = await startServerProcess({ dataDir: first.dataDir });
  t.after(() => second.stop());
  assert.equal(second.adminToken, null, 'the token is printed only on the very first start');
  const checks = await allItems<CheckView>(second.url, '/api/v1/checks', first.adminToken);
  const byKey = new Map(checks.map((c) => [`${c.hostName}/${c.name}`, c]));

  // 3. Every acknowledged report is there; each shared check holds its last acknowledged state or
  //    the one that was in flight when the server died (committed but not yet answered).
  const missing = acked.filter((a) => byKey.get(`${a.host}/${a.name}`)?.info !== a.info);
  assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged reports were lost`);
  const alerts = new Set((await allItems<{ message: string }>(second.url, '/api/v1/alerts', first.adminToken)).map((a) => a.message));
  const lostAlerts = ackedAlerts.filter((m) => !alerts.has(m));
  assert.ok(ackedAlerts.length > 0);
  assert.deepEqual(lostAlerts, [], `${lostAlerts.length} of ${ackedAlerts.length} acknowledged alerts were lost`);
  for (const [host, state] of lastAckedState) {
    const flapper = byKey.get(`${host}/flapper`);
    assert.ok(flapper, `${host}/flapper`);
    const allowed = new Set([state, inFlightState.get(host)]);
    assert.ok(allowed.has(flapper.state), `${host}/flapper is ${flapper.state}, expected one of ${[...allowed].join(', ')}`);
  }
});
