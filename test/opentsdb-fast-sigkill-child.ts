// Child process of opentsdb-fast-sigkill.test.ts: puts numbered OpenTSDB JSON batches through the
// byte-level fast path (parseOpenTsdbFast + Tsdb.appendKeyed, as /api/put does) forever and prints
// "ACK <batch>" only after each batch's commit resolved. The parent kills it with SIGKILL.
import { OpenTsdbKeyTable, parseOpenTsdbFast } from '../src/protocols/opentsdb-fast.js';
import { openChildTsdb, SERIES } from './support/tsdb-sigkill.js';

const { tsdb, base } = await openChildTsdb();
const keys = new OpenTsdbKeyTable();
for (let b = 0; ; b++) {
  const points = Array.from({ length: SERIES }, (_, s) => `{"metric":"kill.fast","timestamp":${base + b * 1000},"value":${b * 1000 + s},"tags":{"s":"${s}"}}`);
  const batch = parseOpenTsdbFast(Buffer.from(`[${points.join(',')}]`), keys);
  if (batch === null) throw new Error('the fast path refused a plain body');
  const r = tsdb.appendKeyed(1, keys, batch);
  if (r.rejected > 0) throw new Error(`${r.rejected} samples refused`);
  await tsdb.commit();
  process.stdout.write(`ACK ${b}\n`);
}
