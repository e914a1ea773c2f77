// A fast path for OpenTSDB `/api/put` bodies: one scan over the raw bytes, columnar output, no
// object per point. It takes only bodies where every point is plainly valid — ASCII names without
// escapes, number or numeric-string timestamps and values, each of the keys metric/timestamp/value/
// tags at most once and no other key, string tag values — and gives up (null) on anything else, so
// the caller runs the reference path (opentsdb.ts) on the very same body: bad points, odd bodies
// and ?details answers are always the reference's. A differential property test holds the two equal.
//
// Series are identified by the raw bytes of the metric name and the tags object as sent (a key
// table across puts: a hash of the bytes, checked byte by byte), so a series seen before costs one
// hash lookup; its name and tags are decoded only the first time those bytes are seen.
import { openTsdbTimestampMs } from './opentsdb.js';

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Bytes allowed in names on the fast path: [-A-Za-z0-9_./] (the ASCII part of OpenTSDB's rule). */
const NAME_BYTE = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  NAME_BYTE[c] = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46 || c === 47 ? 1 : 0;
}

/** 10^0 … 10^22: every one an exact double (Clinger's fast path). */
const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Most distinct raw keys kept; the table starts over beyond it (bounded memory). */
export const OPENTSDB_KEY_TABLE_MAX = 1 << 21;

/**
 * Raw series key (metric bytes + tags bytes) → small integer, across puts; each key keeps its
 * decoded name and tags and a slot (`handles`) where the store may cache its series handle.
 */
export class OpenTsdbKeyTable {
  /** Per key: the store's series handle once resolved (owned by the store; see Tsdb.appendKeyed). */
  handles: Array<object | undefined> = [];
  private names: string[] = [];
  private tagSets: Array<Record<string, string>> = [];
  private slots = new Int32Array(1 << 12);
  private hashes = new Int32Array(1024);
  private starts = new Uint32Array(1024);
  private lens = new Uint32Array(1024);
  private arena = new Uint8Array(64 * 1024);
  private arenaLen = 0;
  private n = 0;

  constructor(private readonly maxKeys = OPENTSDB_KEY_TABLE_MAX) {}

  /** Number of keys held. */
  get size(): number {
    return this.n;
  }

  /** Metric name of key `k`. */
  name(k: number): string {
    return this.names[k]!;
  }

  /** Tags of key `k` (do not modify). */
  tags(k: number): Record<string, string> {
    return this.tagSets[k]!;
  }

  /** Starts over when more than the bound are held (only between puts: a batch's keys stay valid). */
  bound(): void {
    if (this.n > this.maxKeys) this.clear();
  }

  /** Forgets every key (and every cached handle). */
  clear(): void {
    this.handles = [];
    this.names = [];
    this.tagSets = [];
    this.slots = new Int32Array(1 << 12);
    this.arenaLen = 0;
    this.n = 0;
  }

  /** The key of these bytes, or -1 when not held. */
  find(b: Uint8Array, ms: number, me: number, ts: number, te: number, h: number): number {
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === 0) return -1;
      const k = s - 1;
      if (this.hashes[k] === h && this.same(k, b, ms, me, ts, te)) return k;
    }
  }

  private same(k: number, b: Uint8Array, ms: number, me: number, ts: number, te: number): boolean {
    const mLen = me - ms;
    if (this.lens[k] !== mLen + 1 + (te - ts)) return false;
    const a = this.arena;
    let p = this.starts[k]!;
    for (let i = ms; i < me; i++) if (a[p++] !== b[i]) return false;
    if (a[p++] !== 0) return false;
    for (let i = ts; i < te; i++) if (a[p++] !== b[i]) return false;
    return true;
  }

  /** Adds a key not held yet; returns it. */
  add(b: Uint8Array, ms: number, me: number, ts: number, te: number, h: number, name: string, tags: Record<string, string>): number {
    const k = this.n++;
    if (k === this.hashes.length) this.growKeys();
    const len = me - ms + 1 + (te - ts);
    if (this.arenaLen + len > this.arena.length) {
      const a = new Uint8Array(Math.max(this.arena.length * 2, this.arenaLen + len));
      a.set(this.arena.subarray(0, this.arenaLen));
      this.arena = a;
    }
    const start = this.arenaLen;
    this.arena.set(b.subarray(ms, me), start);
    this.arena[start + me - ms] = 0;
    this.arena.set(b.subarray(ts, te), start + me - ms + 1);
    this.arenaLen += len;
    this.hashes[k] = h;
    this.starts[k] = start;
    this.lens[k] = len;
    this.names.push(name);
    this.tagSets.push(tags);
    this.handles.push(undefined);
    if (this.n * 2 > this.slots.length) this.rehash();
    else this.place(k);
    return k;
  }

  private place(k: number): void {
    const mask = this.slots.length - 1;
    let i = this.hashes[k]! & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = k + 1;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let k = 0; k < this.n; k++) this.place(k);
  }

  private growKeys(): void {
    const cap = this.hashes.length * 2;
    const h = new Int32Array(cap);
    h.set(this.hashes);
    const s = new Uint32Array(cap);
    s.set(this.starts);
    const l = new Uint32Array(cap);
    l.set(this.lens);
    this.hashes = h;
    this.starts = s;
    this.lens = l;
  }
}

/** The points of a put as columns: point i is series key keys[i] of the table, at timestamps[i] ms. */
export interface OpenTsdbFastBatch {
  count: number;
  keys: Uint32Array;
  timestamps: Float64Array;
  values: Float64Array;
}

const EMPTY = new Uint8Array(0);

// Scanner state (module level: the parser never re-enters).
let B: Uint8Array = EMPTY;
let P = 0;
let END = 0;

function ws(): void {
  let c = B[P];
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = B[++P];
}

/** A JSON number at P (strict grammar); NaN when there is none. */
function number(): number {
  const start = P;
  let neg = false;
  if (B[P] === 0x2d) {
    neg = true;
    P++;
  }
  let c = B[P]!;
  let m = 0;
  let digits = 0;
  if (c === 0x30) {
    P++;
    digits = 1;
  } else if (c >= 0x31 && c <= 0x39) {
    do {
      m = m * 10 + (c - 0x30);
      digits++;
      c = B[++P]!;
    } while (c >= 0x30 && c <= 0x39);
  } else return NaN;
  let e10 = 0;
  if (B[P] === 0x2e) {
    c = B[++P]!;
    if (!(c >= 0x30 && c <= 0x39)) return NaN;
    do {
      m = m * 10 + (c - 0x30);
      digits++;
      e10--;
      c = B[++P]!;
    } while (c >= 0x30 && c <= 0x39);
  }
  c = B[P]!;
  if (c === 0x65 || c === 0x45) {
    c = B[++P]!;
    let eNeg = false;
    if (c === 0x2d || c === 0x2b) {
      eNeg = c === 0x2d;
      c = B[++P]!;
    }
    if (!(c >= 0x30 && c <= 0x39)) return NaN;
    let e = 0;
    do {
      if (e < 100_000) e = e * 10 + (c - 0x30);
      c = B[++P]!;
    } while (c >= 0x30 && c <= 0x39);
    e10 += eNeg ? -e : e;
  }
  if (digits <= 15 && e10 >= -22 && e10 <= 22) {
    const v = e10 < 0 ? m / POW10[-e10]! : m * POW10[e10]!;
    return neg ? -v : v;
  }
  return Number(Buffer.from(B.buffer, B.byteOffset + start, P - start).toString('latin1'));
}

/** A string at P (after its quote) of printable ASCII without escapes; its end, or -1. */
function plainString(): number {
  for (;;) {
    const c = B[P]!;
    if (c === 0x22) return P;
    if (c < 0x20 || c === 0x5c || c >= 0x7f || P >= END) return -1;
    P++;
  }
}

/** A name string at P (after its quote) of name bytes only, not empty; its end, or -1. */
function nameString(): number {
  const start = P;
  while (NAME_BYTE[B[P]!] === 1) P++;
  return B[P] === 0x22 && P > start && P < END ? P : -1;
}

function latin1(a: number, b: number): string {
  return Buffer.from(B.buffer, B.byteOffset + a, b - a).toString('latin1');
}

/** A timestamp (number or numeric string) in ms as the reference takes it; NaN when it would not. */
function timestamp(): number {
  if (B[P] === 0x22) {
    P++;
    const s = P;
    const e = plainString();
    if (e < 0) return NaN;
    P++;
    return openTsdbTimestampMs(latin1(s, e)) ?? NaN;
  }
  const t = number();
  return t !== t ? NaN : openTsdbTimestampMs(t) ?? NaN;
}

/** A finite value (number or numeric string without blanks); NaN when the fast path cannot take it. */
function value(): number {
  let v: number;
  if (B[P] === 0x22) {
    P++;
    const s = P;
    const e = plainString();
    if (e < 0) return NaN;
    P++;
    const text = latin1(s, e);
    if (!NUMBER_RE.test(text)) return NaN;
    v = Number(text);
  } else v = number();
  return Number.isFinite(v) ? v : NaN;
}

/** Decodes a tags object already scanned by tagsObject(); null on a repeated or reserved name. */
function decodeTags(ts: number, te: number): Record<string, string> | null {
  const tags: Record<string, string> = {};
  let p = ts + 1;
  while (p < te) {
    const c = B[p]!;
    if (c !== 0x22) {
      p++;
      continue;
    }
    const ks = p + 1;
    let ke = ks;
    while (B[ke] !== 0x22) ke++;
    let vs = ke + 1;
    while (B[vs] !== 0x22) vs++;
    vs++;
    let ve = vs;
    while (B[ve] !== 0x22) ve++;
    const k = latin1(ks, ke);
    if (k === '__proto__' || Object.prototype.hasOwnProperty.call(tags, k)) return null;
    tags[k] = latin1(vs, ve);
    p = ve + 1;
  }
  return tags;
}

/** Scans a tags object at P ({"name":"value",…} with name strings only); false when not plain. */
function tagsObject(): boolean {
  P++; // {
  ws();
  if (B[P] === 0x7d) {
    P++;
    return true;
  }
  for (;;) {
    if (B[P] !== 0x22) return false;
    P++;
    if (nameString() < 0) return false;
    P++;
    ws();
    if (B[P] !== 0x3a) return false;
    P++;
    ws();
    if (B[P] !== 0x22) return false;
    P++;
    if (nameString() < 0) return false;
    P++;
    ws();
    const c = B[P];
    P++;
    if (c === 0x7d) return true;
    if (c !== 0x2c) return false;
    ws();
  }
}

/** Which of the four point keys starts at P (after its quote), moving past the closing quote; 0 when none. */
function pointKey(): number {
  const c = B[P];
  let k = 0;
  let len = 0;
  if (c === 0x6d && B[P + 1] === 0x65 && B[P + 2] === 0x74 && B[P + 3] === 0x72 && B[P + 4] === 0x69 && B[P + 5] === 0x63) {
    k = 1; // metric
    len = 6;
  } else if (c === 0x74 && B[P + 1] === 0x69 && B[P + 2] === 0x6d && B[P + 3] === 0x65 && B[P + 4] === 0x73 && B[P + 5] === 0x74
    && B[P + 6] === 0x61 && B[P + 7] === 0x6d && B[P + 8] === 0x70) {
    k = 2; // timestamp
    len = 9;
  } else if (c === 0x76 && B[P + 1] === 0x61 && B[P + 2] === 0x6c && B[P + 3] === 0x75 && B[P + 4] === 0x65) {
    k = 4; // value
    len = 5;
  } else if (c === 0x74 && B[P + 1] === 0x61 && B[P + 2] === 0x67 && B[P + 3] === 0x73) {
    k = 8; // tags
    len = 4;
  }
  if (k === 0 || B[P + len] !== 0x22) return 0;
  P += len + 1;
  return k;
}

function hashBytes(h: number, a: number, b: number): number {
  for (let i = a; i < b; i++) h = Math.imul(h ^ B[i]!, 0x01000193);
  return h;
}

/** Output columns, reused between calls (a batch is valid until the next parse). */
let outKeys = new Uint32Array(1024);
let outTs = new Float64Array(1024);
let outVals = new Float64Array(1024);

function growOut(): void {
  const cap = outKeys.length * 2;
  const k = new Uint32Array(cap);
  k.set(outKeys);
  const t = new Float64Array(cap);
  t.set(outTs);
  const v = new Float64Array(cap);
  v.set(outVals);
  outKeys = k;
  outTs = t;
  outVals = v;
}

/** One point at P; its index in the output or false when the fast path cannot take the body. */
function point(table: OpenTsdbKeyTable, i: number): boolean {
  if (B[P] !== 0x7b) return false;
  P++;
  ws();
  let seen = 0;
  let ms = 0;
  let me = 0;
  let tgs = 0;
  let tge = 0;
  let t = NaN;
  let v = NaN;
  for (;;) {
    if (B[P] !== 0x22) return false;
    P++;
    const k = pointKey();
    if (k === 0 || (seen & k) !== 0) return false;
    seen |= k;
    ws();
    if (B[P] !== 0x3a) return false;
    P++;
    ws();
    if (k === 1) {
      if (B[P] !== 0x22) return false;
      P++;
      ms = P;
      me = nameString();
      if (me < 0) return false;
      P++;
    } else if (k === 2) {
      t = timestamp();
      if (t !== t) return false;
    } else if (k === 4) {
      v = value();
      if (v !== v) return false;
    } else {
      if (B[P] !== 0x7b) return false;
      tgs = P;
      if (!tagsObject()) return false;
      tge = P;
    }
    ws();
    const c = B[P];
    P++;
    if (c === 0x7d) break;
    if (c !== 0x2c) return false;
    ws();
  }
  if ((seen & 7) !== 7 || P > END) return false;
  const h = hashBytes(hashBytes(0x811c9dc5, ms, me), tgs, tge);
  let key = table.find(B, ms, me, tgs, tge, h);
  if (key < 0) {
    const tags = tge > tgs ? decodeTags(tgs, tge) : {};
    if (tags === null) return false;
    key = table.add(B, ms, me, tgs, tge, h, latin1(ms, me), tags);
  }
  if (i === outKeys.length) growOut();
  outKeys[i] = key;
  outTs[i] = t;
  outVals[i] = v;
  return true;
}

/**
 * Parses a put body (one point or an array of points) when every point is plainly valid; null
 * when the reference path must handle it (anything unusual, invalid JSON, or any bad point).
 * New series keys are added to `table` even when it then gives up (they are correct either way).
 * The returned columns are reused by the next call.
 */
export function parseOpenTsdbFast(body: Uint8Array, table: OpenTsdbKeyTable): OpenTsdbFastBatch | null {
  table.bound();
  B = body;
  P = 0;
  END = body.length;
  try {
    ws();
    let n = 0;
    if (B[P] === 0x5b) {
      P++;
      ws();
      if (B[P] === 0x5d) P++;
      else {
        for (;;) {
          if (!point(table, n)) return null;
          n++;
          ws();
          const c = B[P];
          P++;
          if (c === 0x5d) break;
          if (c !== 0x2c) return null;
          ws();
        }
      }
    } else {
      if (!point(table, 0)) return null;
      n = 1;
    }
    ws();
    if (P !== END) return null;
    return { count: n, keys: outKeys, timestamps: outTs, values: outVals };
  } finally {
    B = EMPTY; // do not keep the body alive
  }
}
