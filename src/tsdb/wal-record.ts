// A WAL record: the samples of one group commit as three columns. Layout (little-endian):
// u32 count · u32 reserved · f64 timestamps[count] · f64 values[count] · u32 seriesIds[count].
// 20 bytes per sample; it lives only until the next checkpoint turns the head into chunks.

/** Samples of a WAL record, as columns. */
export interface WalSamples {
  count: number;
  seriesIds: Uint32Array;
  ts: Float64Array;
  vals: Float64Array;
}

/** Encodes the first `n` entries of the columns into one record. */
export function encodeWalRecord(ids: Uint32Array, ts: Float64Array, vals: Float64Array, n: number): Uint8Array {
  const buf = new ArrayBuffer(8 + n * 20);
  const head = new Uint32Array(buf, 0, 2);
  head[0] = n;
  new Float64Array(buf, 8, n).set(ts.subarray(0, n));
  new Float64Array(buf, 8 + n * 8, n).set(vals.subarray(0, n));
  new Uint32Array(buf, 8 + n * 16, n).set(ids.subarray(0, n));
  return new Uint8Array(buf);
}

/** Decodes a record; throws when its length does not match its count. */
export function decodeWalRecord(data: Uint8Array): WalSamples {
  const copy = data.slice(); // own, aligned buffer (a Buffer from SQLite may start at any offset)
  if (copy.length < 8) throw new Error('wal record truncated');
  const count = new Uint32Array(copy.buffer, 0, 2)[0]!;
  if (copy.length !== 8 + count * 20) throw new Error('wal record length does not match its count');
  return {
    count,
    ts: new Float64Array(copy.buffer, 8, count),
    vals: new Float64Array(copy.buffer, 8 + count * 8, count),
    seriesIds: new Uint32Array(copy.buffer, 8 + count * 16, count),
  };
}
