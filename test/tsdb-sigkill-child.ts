// Child process of tsdb-sigkill.test.ts: appends numbered batches forever and prints "ACK <batch>"
// only after each batch's commit resolved (i.e. it is durable). The parent kills it with SIGKILL.
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
for (let b = 0; ; b++) {
  for (let s = 0; s < SERIES; s++) {
    const err = tsdb.append(1, 'kill.test', { s: String(s) }, base + b * 1000, b * 1000 + s, 'counter');
    if (err !== null) throw new Error(err);
  }
  await tsdb.commit();
  process.stdout.write(`ACK ${b}\n`);
}
