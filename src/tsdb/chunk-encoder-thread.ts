// Encoder thread of ThreadChunkEncoder (chunk-encoder.ts): jobs in, encodeChunk bytes out (moved).
import { parentPort } from 'node:worker_threads';
import { encodeChunk } from './codec.js';
import type { EncodeRequest, EncodeResponse } from './chunk-encoder.js';

const port = parentPort;
port?.on('message', (req: EncodeRequest) => {
  let res: EncodeResponse;
  try {
    res = { id: req.id, chunks: req.jobs.map((j) => encodeChunk(j.ts, j.cols, j.ts.length)) };
  } catch (err) {
    res = { id: req.id, error: err instanceof Error ? err.message : String(err) };
  }
  // Each chunk owns its buffer (BitWriter.finish copies out), so the buffers can be moved.
  port.postMessage(res, 'chunks' in res ? res.chunks.map((c) => c.buffer as ArrayBuffer) : []);
});
