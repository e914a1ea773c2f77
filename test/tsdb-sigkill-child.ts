// Child process of tsdb-sigkill.test.ts: appends numbered batches forever and prints "ACK <batch>"
// only after each batch's commit resolved (i.e. it is durable). The parent kills it with SIGKILL.
import { openChildTsdb, SERIES } from './support/tsdb-sigkill.js';

const { tsdb, base } = await openChildTsdb();
for (let b = 0; ; b++) {
  for (let s = 0; s < SERIES; s++) {
    const err = tsdb.append(1, 'kill.test', { s: String(s) }, base + b * 1000, b * 1000 + s, 'counter');
    if (err !== null) throw new Error(err);
  }
  await tsdb.commit();
  process.stdout.write(`ACK ${b}\n`);
}
