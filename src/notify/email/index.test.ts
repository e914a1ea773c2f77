import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { OverseeError } from '../../errors.js';
import { sampleMessage } from '../testing.js';
import { DeliveryError } from '../types.js';
import { email } from './index.js';

const ctx = { fetch, timeoutMs: 3000 };

interface Received {
  from: string;
  to: string[];
  raw: string;
  secure: boolean;
  user: string | null;
}

// A real SMTP server on port 0 that records every message and the session it came in on.
async function startSmtp(options: SMTPServerOptions): Promise<{ port: number; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    ...options,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'alerts' && auth.password === 'right') cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : null,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const base = { host: '127.0.0.1', from: 'Oversee <oversee@example.org>', to: ['ops@example.org', 'oncall@example.org'] };

describe('email channel against a real SMTP server', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => { for (const c of closers) await c(); });

  const modes: Array<{ name: string; server: SMTPServerOptions; config: Record<string, unknown>; secure: boolean; user: string | null }> = [
    { name: 'plain without auth', server: { authOptional: true, disabledCommands: ['STARTTLS'] }, config: { security: 'none' }, secure: false, user: null },
    { name: 'STARTTLS with auth', server: { authOptional: false }, config: { security: 'starttls', user: 'alerts', password: 'right' }, secure: true, user: 'alerts' },
    { name: 'implicit TLS with auth', server: { secure: true, authOptional: false }, config: { security: 'tls', user: 'alerts', password: 'right' }, secure: true, user: 'alerts' },
  ];
  for (const m of modes) {
    test(`delivers the message over ${m.name}`, async () => {
      const smtp = await startSmtp(m.server);
      closers.push(smtp.close);
      const config = email.parseConfig({ ...base, ...m.config, port: smtp.port, tls_reject_unauthorized: false });
      await email.send(config, sampleMessage(), ctx);
      assert.equal(smtp.received.length, 1);
      const got = smtp.received[0];
      assert.ok(got);
      assert.equal(got.from, 'oversee@example.org');
      assert.deepEqual(got.to, ['ops@example.org', 'oncall@example.org']);
      assert.equal(got.secure, m.secure);
      assert.equal(got.user, m.user);
      assert.match(got.raw, /^Subject: \[Oversee\] web1\/disk: OK -> ERR$/m);
      assert.match(got.raw, /^X-Oversee-State: ERR$/m);
      assert.match(got.raw, /\/ is 97% full/);
    });
  }

  test('a wrong password is a permanent failure', async () => {
    const smtp = await startSmtp({ authOptional: false });
    closers.push(smtp.close);
    const config = email.parseConfig({ ...base, port: smtp.port, user: 'alerts', password: 'wrong', tls_reject_unauthorized: false });
    const err = await email.send(config, sampleMessage(), ctx).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof DeliveryError);
    assert.equal(err.permanent, true);
    assert.equal(smtp.received.length, 0);
  });

  test('requiring STARTTLS from a server that does not offer it is a permanent failure', async () => {
    const smtp = await startSmtp({ authOptional: true, disabledCommands: ['STARTTLS'] });
    closers.push(smtp.close);
    const config = email.parseConfig({ ...base, port: smtp.port, security: 'starttls' });
    const err = await email.send(config, sampleMessage(), ctx).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof DeliveryError);
    assert.equal(err.permanent, true);
  });

  test('a self-signed certificate is refused unless tls_reject_unauthorized = false', async () => {
    const smtp = await startSmtp({ authOptional: true });
    closers.push(smtp.close);
    const config = email.parseConfig({ ...base, port: smtp.port, security: 'starttls' });
    const err = await email.send(config, sampleMessage(), ctx).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof DeliveryError);
    assert.equal(smtp.received.length, 0);
  });

  test('a server that is down is a transient failure', async () => {
    const smtp = await startSmtp({ authOptional: true });
    await smtp.close();
    const config = email.parseConfig({ ...base, port: smtp.port, security: 'none' });
    const err = await email.send(config, sampleMessage(), ctx).then(() => null, (e: unknown) => e);
    assert.ok(err instanceof DeliveryError);
    assert.equal(err.permanent, false);
  });
});

describe('email config validation names the field', () => {
  const cases: Array<{ raw: Record<string, unknown>; field: string }> = [
    { raw: { from: 'a@b.c', to: ['x@y.z'] }, field: 'host' },
    { raw: { host: 'h', to: ['x@y.z'] }, field: 'from' },
    { raw: { host: 'h', from: 'a@b.c' }, field: 'to' },
    { raw: { host: 'h', from: 'a@b.c', to: [] }, field: 'to' },
    { raw: { host: 'h', from: 'a@b.c', to: ['x@y.z', 'nobody'] }, field: 'to[1]' },
    { raw: { host: 'h', from: 'a@b.c', to: 'x@y.z', port: 70000 }, field: 'port' },
    { raw: { host: 'h', from: 'a@b.c', to: 'x@y.z', security: 'ssl' }, field: 'security' },
    { raw: { host: 'h', from: 'a@b.c', to: 'x@y.z', user: 'u' }, field: 'password' },
    { raw: { host: 'h', from: 'a@b.c', to: 'x@y.z', pasword: 'p' }, field: 'pasword' },
  ];
  for (const { raw, field } of cases) {
    test(`rejects ${JSON.stringify(raw)} naming ${field}`, () => {
      assert.throws(() => email.parseConfig(raw), (e: unknown) => e instanceof OverseeError && e.details?.field === field);
    });
  }

  test('defaults: STARTTLS on port 587, implicit TLS on 465', () => {
    assert.equal(email.parseConfig({ host: 'h', from: 'a@b.c', to: 'x@y.z' }).port, 587);
    assert.equal(email.parseConfig({ host: 'h', from: 'a@b.c', to: 'x@y.z', security: 'tls' }).port, 465);
  });
});
