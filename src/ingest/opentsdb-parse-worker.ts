// Parser thread for OpenTSDB puts: JSON text in, SampleColumns out (typed arrays transferred).
// Protocol validation happens here exactly as in the inline path; refusals by the store happen on
// the writer thread (Tsdb.appendColumns). Started by OpenTsdbParserPool.
import { parentPort } from 'node:worker_threads';
import { parseOpenTsdbBody, putOpenTsdbPoints } from '../protocols/opentsdb.js';
import { SampleColumnsBuilder } from '../tsdb/columns.js';

/** A request to the parser thread. */
export interface ParseRequest {
  id: number;
  text: string;
}

/** The parser thread's answer. */
export type ParseResponse = { id: number; badJson: true } | {
  id: number;
  badJson: false;
  cols: import('../tsdb/columns.js').SampleColumns;
  /** Points refused by protocol validation (they never reach the columns). */
  failed: number;
};

parentPort?.on('message', (req: ParseRequest) => {
  const parsed = parseOpenTsdbBody(req.text);
  if (parsed === null) {
    parentPort?.postMessage({ id: req.id, badJson: true } satisfies ParseResponse);
    return;
  }
  const b = new SampleColumnsBuilder(1024);
  const r = putOpenTsdbPoints(parsed.body, (name, tags, ts, value) => { b.add(name, tags, ts, value); });
  const cols = b.build();
  // The columns are fresh copies (SampleColumnsBuilder.build slices), so their buffers can be moved.
  const transfer = [cols.series.buffer, cols.timestamps.buffer, cols.values.buffer] as ArrayBuffer[];
  parentPort?.postMessage({ id: req.id, badJson: false, cols, failed: r.failed } satisfies ParseResponse, transfer);
});
