import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createSelfMetrics, type SelfMetrics } from '../server/self-metrics.js';
import type { Tsdb } from '../tsdb/index.js';
import { startGraphiteListener, type GraphiteListener } from './graphite-listener.js';
import { durableWalSamples, openTestTsdb, RecordingSink, storedPoints } from './samples-test-support.js';

const T0 = Date.UTC(2026, 0, 10, 12);
const T0_S = T0 / 1000;

/** Opens a connection, writes the chunks one by one, half-closes, and waits until the server closes it. */
function sendTcp(port: number, chunks: (string | Buffer)[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => {
      for (const c of chunks) sock.write(c);
      sock.end();
    });
    sock.on('error', reject);
    sock.on('close', () => resolve());
    sock.resume();
  });
}

describe('Graphite plaintext TCP listener into the tsdb', () => {
  const clock = { t: T0, now() { return this.t; } };
  let tsdb: Tsdb;
  let tsdbPath: string;
  let closeTsdb: () => Promise<void>;
  let metrics: SelfMetrics;
  let listener: GraphiteListener;
  before(async () => {
    const t = await openTestTsdb(clock);
    tsdb = t.tsdb;
    tsdbPath = t.path;
    closeTsdb = t.close;
    metrics = createSelfMetrics();
    listener = await startGraphiteListener({ host: '127.0.0.1', port: 0, projectId: 1, samples: tsdb, clock, metrics, maxLineLength: 1000 });
  });
  after(async () => {
    await listener.close();
    await closeTsdb();
  });
  const points = (name: string) => storedPoints(tsdb, 1, name, T0 - 60_000, T0 + 60_000);

  it('stores `path value timestamp` lines durably once the sender closes, with Graphite 1.1 tags', async () => {
    await sendTcp(listener.port, [`servers.web1.cpu 12.5 ${T0_S}\nservers.web1.cpu 13 ${T0_S + 10}\n`, `disk.used;host=a;dc=x 70 ${T0_S}\n`]);
    assert.equal(await durableWalSamples(tsdbPath), 3, 'in the WAL on disk when the server closed the connection');
    assert.deepEqual(await points('servers.web1.cpu'), [[{}, T0, 12.5], [{}, T0 + 10_000, 13]]);
    assert.deepEqual(await points('disk.used'), [[{ dc: 'x', host: 'a' }, T0, 70]]);
  });

  it('joins lines split across TCP chunks and takes a last line without newline', async () => {
    await sendTcp(listener.port, ['split.me 4', `2 ${T0_S}\nno.newline 1 `, `${T0_S}`]);
    assert.deepEqual(await points('split.me'), [[{}, T0, 42]]);
    assert.deepEqual(await points('no.newline'), [[{}, T0, 1]]);
  });

  it('timestamp -1 means now', async () => {
    await sendTcp(listener.port, ['now.metric 5 -1\n']);
    assert.deepEqual(await points('now.metric'), [[{}, T0, 5]]);
  });

  it('skips and counts malformed and over-long lines, keeps the rest of the stream', async () => {
    await sendTcp(listener.port, [`bad line\nkeep.a 1 ${T0_S}\n${'x'.repeat(1500)}`, `${'y'.repeat(100)} 1 ${T0_S}\nkeep.b 2 ${T0_S}\nnan.v NaN ${T0_S}\n`]);
    assert.deepEqual(await points('keep.a'), [[{}, T0, 1]]);
    assert.deepEqual(await points('keep.b'), [[{}, T0, 2]]);
    assert.match(await metrics.registry.metrics(), /oversee_reports_rejected_total\{protocol="graphite",reason="malformed"\} 3/);
  });

  it('fuzz: random byte streams never stop the listener, and a good line afterwards is stored', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u))), { maxLength: 4 }), async (chunks) => {
      await sendTcp(listener.port, chunks);
    }), { numRuns: 40 });
    await sendTcp(listener.port, [`after.fuzz 9 ${T0_S}\n`]);
    assert.deepEqual(await points('after.fuzz'), [[{}, T0, 9]]);
  });
});

describe('Graphite listener failures', () => {
  it('closes the connection when a commit fails, and stays up for the next one', async () => {
    const sink = new RecordingSink();
    sink.failWith = new Error('disk full');
    const errors: string[] = [];
    const l = await startGraphiteListener({
      host: '127.0.0.1', port: 0, projectId: 1, samples: sink, clock: { now: () => T0 }, metrics: createSelfMetrics(), onError: (_e, w) => errors.push(w),
    });
    try {
      await sendTcp(l.port, [`a 1 ${T0_S}\n`]);
      sink.failWith = null;
      await sendTcp(l.port, [`b 2 ${T0_S}\n`]);
      assert.deepEqual(sink.written.map((s) => s.name), ['b']);
      assert.deepEqual(errors, ['graphite commit']);
    } finally {
      await l.close();
    }
  });
});
