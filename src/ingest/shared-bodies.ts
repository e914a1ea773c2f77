// Request bodies read straight into shared memory: a SharedArrayBuffer cut into equal slots, lent
// to one body at a time and given back once the body has been parsed. A parser thread reads the
// slot in place (the pool hands it the SharedArrayBuffer once), so a large put costs no body-sized
// allocation, copy or transfer per request on the writer thread — only the socket's own reads.
// Bodies that do not fit a slot, have no Content-Length, or find every slot lent are collected
// into a Buffer as before. collectBody enforces the body limit as Fastify's own parser does.
import type { Readable } from 'node:stream';

/** A body held in a slot of SharedBodySlots: `len` bytes from the slot's start, until released. */
export interface SharedBody {
  readonly slot: number;
  readonly len: number;
  released: boolean;
}

/** Equal slots of one SharedArrayBuffer, lent to bodies. */
export class SharedBodySlots {
  readonly sab: SharedArrayBuffer;
  private readonly bytes: Uint8Array;
  private readonly free: number[] = [];

  /** `count` slots of `slotBytes` each (the memory is touched only as bodies use it). */
  constructor(readonly slotBytes = 256 * 1024, readonly count = 64) {
    this.sab = new SharedArrayBuffer(slotBytes * count);
    this.bytes = new Uint8Array(this.sab);
    for (let i = count - 1; i >= 0; i--) this.free.push(i);
  }

  /** Slots lent now. */
  get lent(): number {
    return this.count - this.free.length;
  }

  /** A free slot, or -1 when all are lent. */
  take(): number {
    return this.free.pop() ?? -1;
  }

  /** Gives slot `slot` back (once per take). */
  give(slot: number): void {
    this.free.push(slot);
  }

  /** Gives a body's slot back; idempotent. Its bytes must not be read after. */
  release(body: SharedBody): void {
    if (body.released) return;
    body.released = true;
    this.give(body.slot);
  }

  /** Writes `chunk` into `slot` at `offset`. */
  write(slot: number, offset: number, chunk: Uint8Array): void {
    this.bytes.set(chunk, slot * this.slotBytes + offset);
  }

  /** The first `len` bytes of `slot` as a Buffer (a view, not a copy: valid while the slot is lent). */
  view(body: SharedBody): Buffer {
    return Buffer.from(this.sab, body.slot * this.slotBytes, body.len);
  }
}

/** An error Fastify's error handler maps like its own body errors. */
function bodyError(code: 'FST_ERR_CTP_BODY_TOO_LARGE' | 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', status: number, message: string): Error {
  return Object.assign(new Error(message), { code, statusCode: status });
}

/**
 * Reads a request body from `payload`: into a slot when `slots` is given, the Content-Length is
 * known, it fits a slot and one is free; else into a Buffer. Calls `done` once, with the body or an
 * error (413 over `limit`, 400 when the length differs from Content-Length or the stream fails).
 */
export function collectBody(
  payload: Readable, contentLength: string | undefined, limit: number, slots: SharedBodySlots | null,
  done: (err: Error | null, body?: Buffer | SharedBody) => void,
): void {
  const declared = contentLength === undefined ? NaN : Number(contentLength);
  if (declared > limit) {
    done(bodyError('FST_ERR_CTP_BODY_TOO_LARGE', 413, 'Request body is too large'));
    return;
  }
  const slot = slots !== null && Number.isInteger(declared) && declared > 0 && declared <= slots.slotBytes ? slots.take() : -1;
  let received = 0;
  const chunks: Buffer[] = [];
  let finished = false;
  const finish = (err: Error | null, body?: Buffer | SharedBody): void => {
    if (finished) return;
    finished = true;
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onError);
    if (err !== null && slot >= 0) slots!.give(slot);
    done(err, body);
  };
  const onData = (chunk: Buffer | string): void => {
    const c = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (received + c.length > limit || (slot >= 0 && received + c.length > declared)) {
      finish(received + c.length > limit
        ? bodyError('FST_ERR_CTP_BODY_TOO_LARGE', 413, 'Request body is too large')
        : bodyError('FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'Request body size did not match Content-Length'));
      return;
    }
    if (slot >= 0) slots!.write(slot, received, c);
    else chunks.push(c);
    received += c.length;
  };
  const onEnd = (): void => {
    if (!Number.isNaN(declared) && received !== declared) {
      finish(bodyError('FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'Request body size did not match Content-Length'));
      return;
    }
    finish(null, slot >= 0 ? { slot, len: received, released: false } : Buffer.concat(chunks, received));
  };
  const onError = (err: Error & { statusCode?: unknown }): void => {
    const status = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 400;
    finish(Object.assign(err, { statusCode: status }));
  };
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onError);
  payload.resume();
}

/** Whether a parsed body is a SharedBody (else a Buffer). */
export function isSharedBody(body: unknown): body is SharedBody {
  return typeof body === 'object' && body !== null && !Buffer.isBuffer(body) && typeof (body as SharedBody).slot === 'number';
}
