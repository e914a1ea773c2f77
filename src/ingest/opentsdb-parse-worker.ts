// Parser thread for OpenTSDB puts: body bytes in; out, either keyed columns from the byte-level
// fast path (opentsdb-fast.ts, the thread's own key table) or, for a body the fast path leaves,
// SampleColumns from the reference parser (protocol validation exactly as inline). Every answer also
// carries the keys the thread's table learned meanwhile, so the writer thread's mirror of the table
// (opentsdb-parser-pool.ts) names every key a batch uses. Refusals by the store happen on the writer
// thread (Tsdb.appendKeyed / appendColumns). Started by OpenTsdbParserPool.
import { parentPort, workerData } from 'node:worker_threads';
import { parseOpenTsdbBody, putOpenTsdbPoints } from '../protocols/opentsdb.js';
import { OpenTsdbKeyTable, parseOpenTsdbFast } from '../protocols/opentsdb-fast.js';
import { SampleColumnsBuilder, type SampleColumns } from '../tsdb/columns.js';
import type { Tags } from '../tsdb/types.js';

/** A request to the parser thread. */
export interface ParseRequest {
  id: number;
  body: Uint8Array;
}

/** Keys the thread's table learned since its previous answer: key `from + i` is names[i] with tags[i]. */
export interface NewKeys {
  /** The table started over first (its keys before are gone; `from` is then 0). */
  reset: boolean;
  from: number;
  names: string[];
  tags: Tags[];
}

/** The parser thread's answer. */
export type ParseResponse = { id: number; keys: NewKeys } & (
  | { kind: 'badJson' }
  | { kind: 'keyed'; count: number; series: Uint32Array; timestamps: Float64Array; values: Float64Array }
  | {
    kind: 'columns';
    cols: SampleColumns;
    /** Points refused by protocol validation (they never reach the columns). */
    failed: number;
  });

/** Settings the pool passes as workerData. */
export interface ParseWorkerData {
  /** Most keys the thread's table holds before it starts over (default OPENTSDB_KEY_TABLE_MAX). */
  maxKeys?: number;
}

/** The answering function of a thread whose key table is `table` (exported for tests: no thread needed). */
export function parseAnswerer(table: OpenTsdbKeyTable): (req: ParseRequest) => { res: ParseResponse; transfer: ArrayBuffer[] } {
  /** Keys of the table already sent to the writer thread. */
  let sent = 0;

  /** The keys learned since the last answer; `reset`: the table started over meanwhile. */
  const newKeys = (reset: boolean): NewKeys => {
    if (reset) sent = 0;
    const from = sent;
    const names: string[] = [];
    const tags: Tags[] = [];
    for (let k = from; k < table.size; k++) {
      names.push(table.name(k));
      tags.push(table.tags(k));
    }
    sent = table.size;
    return { reset, from, names, tags };
  };

  return (req) => {
    const cleared = table.clears;
    const batch = parseOpenTsdbFast(req.body, table);
    // A table that started over (bound(), past its size limit) lost keys the writer thread mirrors.
    const keys = newKeys(table.clears !== cleared);
    if (batch !== null) {
      const series = batch.keys.slice(0, batch.count);
      const timestamps = batch.timestamps.slice(0, batch.count);
      const values = batch.values.slice(0, batch.count);
      const res: ParseResponse = { id: req.id, keys, kind: 'keyed', count: batch.count, series, timestamps, values };
      return { res, transfer: [series.buffer, timestamps.buffer, values.buffer] as ArrayBuffer[] };
    }
    const parsed = parseOpenTsdbBody(Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength).toString('utf8'));
    if (parsed === null) return { res: { id: req.id, keys, kind: 'badJson' }, transfer: [] };
    const b = new SampleColumnsBuilder(1024);
    const r = putOpenTsdbPoints(parsed.body, (name, tags, ts, value) => { b.add(name, tags, ts, value); });
    const cols = b.build();
    // The columns are fresh copies (SampleColumnsBuilder.build slices), so their buffers can be moved.
    return { res: { id: req.id, keys, kind: 'columns', cols, failed: r.failed }, transfer: [cols.series.buffer, cols.timestamps.buffer, cols.values.buffer] as ArrayBuffer[] };
  };
}

if (parentPort) {
  const port = parentPort;
  const answer = parseAnswerer(new OpenTsdbKeyTable((workerData as ParseWorkerData | null)?.maxKeys));
  port.on('message', (req: ParseRequest) => {
    const { res, transfer } = answer(req);
    port.postMessage(res, transfer);
  });
}
