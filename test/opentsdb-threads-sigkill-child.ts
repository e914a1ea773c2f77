// Child process of opentsdb-fast-sigkill.test.ts (threads): puts numbered OpenTSDB JSON batches
// through a parser thread (OpenTsdbParserPool: the fast path in the thread, keys mirrored here) into
// a Tsdb whose checkpoints encode chunks in a thread (ThreadChunkEncoder), forever, printing
// "ACK <batch>" only after each batch's commit resolved. The parent kills it with SIGKILL.
import { OpenTsdbParserPool } from '../src/ingest/opentsdb-parser-pool.js';
import { ThreadChunkEncoder } from '../src/tsdb/chunk-encoder.js';
import { openChildTsdb, SERIES } from './support/tsdb-sigkill.js';

const { tsdb, base } = await openChildTsdb(new ThreadChunkEncoder());
const pool = new OpenTsdbParserPool(1);
for (let b = 0; ; b++) {
  const points = Array.from({ length: SERIES }, (_, s) => `{"metric":"kill.threads","timestamp":${base + b * 1000},"value":${b * 1000 + s},"tags":{"s":"${s}"}}`);
  const { res, keys } = await pool.parse(Buffer.from(`[${points.join(',')}]`));
  if (res.kind !== 'keyed') throw new Error(`the parser thread answered ${res.kind} to a plain body`);
  const r = tsdb.appendKeyed(1, keys, { count: res.count, keys: res.series, timestamps: res.timestamps, values: res.values });
  if (r.rejected > 0) throw new Error(`${r.rejected} samples refused`);
  await tsdb.commit();
  process.stdout.write(`ACK ${b}\n`);
}
