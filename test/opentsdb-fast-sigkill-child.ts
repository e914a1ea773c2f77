// Child process of opentsdb-fast-sigkill.test.ts: puts numbered OpenTSDB JSON batches through the
// byte-level fast path (parseOpenTsdbFast + Tsdb.appendKeyed, as /api/put does) forever and prints
// "ACK <batch>" only after each batch's commit resolved. The parent kills it with SIGKILL.
import { OpenTsdbKeyTable, parseOpenTsdbFast } from '../src/protocols/opentsdb-fast.js';
import { openSqliteTsdbStorage } from '../src/store/sqlite/tsdb-storage.js';
import { Tsdb } from '../src/tsdb/index.js';

const [path, baseArg] = process.argv.slice(2);
const base = Number(baseArg);
const SERIES = 50;
const tsdb = await Tsdb.open({
  storage: openSqliteTsdbStorage({ path: path! }),
  clock: { now: () => base + 3_600_000 },
  checkpointSamples: 3000, // checkpoints happen while we run, so the kill may land in one
});
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
