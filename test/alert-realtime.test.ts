// The engine on real timers and the wall clock: expiry detected within 1 s of the deadline and
// delivered through a real webhook receiver, a real SMTP server and a real exec script; near-zero
// CPU while many checks wait.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { AlertAdmin, AlertEngine, DEFAULT_ALERT_SETTINGS, type AlertLogger } from '../src/alert/index.js';
import { startHttpReceiver, type HttpReceiver } from '../src/notify/testing.js';
import { openSqliteAlertStore, type SqliteAlertStore } from '../src/store/sqlite/alerting.js';
import { openSqliteStore, type SqliteStore } from '../src/store/sqlite/index.js';
import { systemClock } from '../src/util/clock.js';

const quiet: AlertLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('alert engine on real time', () => {
  let dir: string;
  let store: SqliteStore;
  let alerts: SqliteAlertStore;
  let engine: AlertEngine;
  let rx: HttpReceiver;
  let smtp: SMTPServer;
  let smtpPort: number;
  const mails: string[] = [];
  let hostId: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oversee-alert-rt-'));
    store = await openSqliteStore({ path: join(dir, 'db'), synchronous: 'NORMAL' });
    alerts = openSqliteAlertStore(store);
    rx = await startHttpReceiver();
    smtp = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
      onData(stream, _session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push(Buffer.concat(chunks).toString('utf8'));
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    smtpPort = (smtp.server.address() as AddressInfo).port;
    const script = join(dir, 'notify.sh');
    writeFileSync(script, `#!/bin/sh\ncat > "${join(dir, 'exec-')}$OVERSEE_CHECK.json"\n`);
    chmodSync(script, 0o755);
    const admin = new AlertAdmin({ store, alertStore: alerts, clock: systemClock });
    await admin.createChannel({ name: 'hook', type: 'webhook', url: rx.url });
    await admin.createChannel({ name: 'mail', type: 'email', host: '127.0.0.1', port: smtpPort, security: 'none', from: 'oversee@example.org', to: ['ops@example.org'] });
    await admin.createChannel({ name: 'script', type: 'exec', command: script });
    const project = await store.projects.getByName('default');
    assert.ok(project);
    hostId = (await store.hosts.register(project.id, 'rt1', null, Date.now())).id;
    engine = new AlertEngine({ store, alertStore: alerts, clock: systemClock, logger: quiet, settings: { ...DEFAULT_ALERT_SETTINGS, groupWindowMs: 0 } });
    engine.start();
  });

  after(async () => {
    await engine.stop();
    await rx.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a missed heartbeat is detected within 1 s of its deadline and reaches webhook, email and exec', async (t) => {
    const at = Date.now();
    await store.ingest.reportStates({ hostId, at, address: null, source: 'api', services: [{ name: 'beat', state: 'OK', info: 'alive', periodS: 1 }] });
    engine.kick();
    const deadline = at + 1000;
    await until('the webhook', () => rx.requests.length > 0, 5000);
    const received = Date.now();
    const flips = await store.history.flips({ limit: 5 });
    const expiry = flips.items.find((f) => f.reason === 'expired');
    assert.ok(expiry, 'an expiry flip was written');
    assert.ok(expiry.at >= deadline, 'not before the deadline');
    assert.ok(expiry.at - deadline < 1000, `detected ${expiry.at - deadline} ms after the deadline`);
    assert.ok(received - deadline < 3000, `delivered ${received - deadline} ms after the deadline`);
    t.diagnostic(`expiry flip ${expiry.at - deadline} ms after the deadline, webhook got it after ${received - deadline} ms`);
    const body = JSON.parse(rx.requests[0]?.body ?? '{}') as { events: Array<{ kind: string; message: string }> };
    assert.equal(body.events[0]?.kind, 'problem');
    assert.match(body.events[0]?.message ?? '', /^No report for 1 s$/);
    await until('the mail', () => mails.length > 0, 5000);
    assert.match(mails[0] ?? '', /Subject: \[Oversee\] rt1\/beat: OK -> ERR \(expired\)/);
    await until('the exec script', () => existsSync(join(dir, 'exec-beat.json')), 5000);
    const viaExec = JSON.parse(readFileSync(join(dir, 'exec-beat.json'), 'utf8')) as { subject: string };
    assert.equal(viaExec.subject, 'rt1/beat: OK -> ERR (expired)');
  });

  test('2,000 waiting checks cost almost no CPU (one deadline queue, no timer per check)', async (t) => {
    const services = Array.from({ length: 2000 }, (_, i) => ({ name: `idle${i}`, state: 'OK' as const, info: '', periodS: 3600 }));
    await store.ingest.reportStates({ hostId, at: Date.now(), address: null, source: 'api', services });
    await new Promise((r) => setTimeout(r, 1500));
    const before = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 3000));
    const used = process.cpuUsage(before);
    const cpuMs = (used.user + used.system) / 1000;
    const share = cpuMs / (performance.now() - t0);
    t.diagnostic(`idle CPU: ${(share * 100).toFixed(2)} % of a core`);
    assert.ok(share < 0.05, `engine used ${(share * 100).toFixed(1)} % of a core while idle`);
  });
});
