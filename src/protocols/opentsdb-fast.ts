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
import { NUMBER_RE } from './number-text.js';
import { openTsdbTimestampMs } from './opentsdb.js';

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
 * Raw series key (metric bytes + tags bytes) → small integer, across puts; each key keeps only its
 * bytes (name and tags are decoded from them when asked, i.e. when the store meets the key first)
 * and a slot (`handles`) where the store may cache its series handle.
 */
export class OpenTsdbKeyTable {
  /** Per key: the store's series handle once resolved (owned by the store; see Tsdb.appendKeyed). */
  handles: Array<object | undefined> = [];
  /** Owned by the store with the handles (see Tsdb.appendKeyed). */
  handlesEpoch = 0;
  private slots = new Int32Array(1 << 12);
  private hashes = new Int32Array(1024);
  private starts = new Uint32Array(1024);
  private lens = new Uint32Array(1024);
  /** Per key: length of its name bytes (its tags bytes follow a 0 in the arena). */
  private nameLens = new Uint32Array(1024);
  /** Per key: the key that came right after it last time (-1: none yet); the guess for the next point. */
  private nexts = new Int32Array(1024);
  /** The last key of the last point parsed (-1: none). */
  last = -1;
  private arena = new Uint8Array(64 * 1024);
  private arenaView = new DataView(this.arena.buffer);
  private arenaLen = 0;
  private n = 0;

  constructor(private readonly maxKeys = OPENTSDB_KEY_TABLE_MAX) {}

  /** Number of keys held. */
  get size(): number {
    return this.n;
  }

  /** Metric name of key `k`. */
  name(k: number): string {
    const start = this.starts[k]!;
    return latin1(this.arena, start, this.arena.indexOf(0, start));
  }

  /** Tags of key `k` (a fresh object). */
  tags(k: number): Record<string, string> {
    const start = this.starts[k]!;
    const end = start + this.lens[k]!;
    const sep = this.arena.indexOf(0, start);
    return sep + 1 < end ? decodeTags(this.arena, sep + 1, end) ?? {} : {};
  }

  /** Starts over when more than the bound are held (only between puts: a batch's keys stay valid). */
  bound(): void {
    if (this.n > this.maxKeys) this.clear();
  }

  /** How many times the table started over (clear()). */
  clears = 0;

  /** Forgets every key (and every cached handle). */
  clear(): void {
    this.clears++;
    this.handles = [];
    this.slots = new Int32Array(1 << 12);
    this.arenaLen = 0;
    this.n = 0;
    this.last = -1;
  }

  /** The key guessed to come after key `k` (-1: no guess). */
  next(k: number): number {
    return k < 0 ? -1 : this.nexts[k]!;
  }

  /** Records that key `k` came right after key `prev` (-1: nothing before it). */
  follows(prev: number, k: number): void {
    if (prev >= 0) this.nexts[prev] = k;
    this.last = k;
  }

  /** Length of key `k`'s name bytes. */
  nameLength(k: number): number {
    return this.nameLens[k]!;
  }

  /** Length of key `k`'s tags bytes ('{' to '}'; 0 when it has none). */
  tagsLength(k: number): number {
    return this.lens[k]! - this.nameLens[k]! - 1;
  }

  /** Whether b at p (`len` bytes in all) holds key `k`'s name followed by a quote. */
  nameAt(k: number, b: Uint8Array, v: DataView, p: number, len: number): boolean {
    const nl = this.nameLens[k]!;
    return p + nl < len && b[p + nl] === 0x22 && this.equal(this.starts[k]!, b, v, p, p + nl);
  }

  /** Whether b at p (`len` bytes in all) holds key `k`'s tags bytes (non-empty). */
  tagsAt(k: number, b: Uint8Array, v: DataView, p: number, len: number): boolean {
    const tl = this.lens[k]! - this.nameLens[k]! - 1;
    return tl > 0 && p + tl <= len && this.equal(this.starts[k]! + this.nameLens[k]! + 1, b, v, p, p + tl);
  }

  /** Whether the arena at q holds the bytes b[i, e) (compared 4 bytes at a time, the last 4 overlapping). */
  private equal(q: number, b: Uint8Array, v: DataView, i: number, e: number): boolean {
    const n = e - i;
    if (n < 4) {
      const a = this.arena;
      for (; i < e; i++) if (a[q++] !== b[i]) return false;
      return true;
    }
    const av = this.arenaView;
    if (n < 8) return av.getInt32(q, true) === v.getInt32(i, true) && av.getInt32(q + n - 4, true) === v.getInt32(i + n - 4, true);
    // 8 bytes at a time as doubles: the arena's bytes here are name or tags bytes (0x09-0x7e, no 0,
    // no 0x7f-0xff), never the bytes of a NaN or of ±0, so equal doubles means equal bytes.
    const last = n - 8;
    for (let j = 0; j < last; j += 8) if (av.getFloat64(q + j, true) !== v.getFloat64(i + j, true)) return false;
    return av.getFloat64(q + last, true) === v.getFloat64(i + last, true);
  }

  /** The key of these bytes (`v` views `b`), or -1 when not held. */
  find(b: Uint8Array, v: DataView, ms: number, me: number, ts: number, te: number, h: number): number {
    const mask = this.slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = this.slots[i]!;
      if (s === 0) return -1;
      const k = s - 1;
      if (this.hashes[k] === h && this.lens[k] === me - ms + 1 + (te - ts) && this.same(this.starts[k]!, b, v, ms, me, ts, te)) return k;
    }
  }

  /** Whether the arena at p holds the name bytes, a 0 and the tags bytes (compared 4 bytes at a time). */
  private same(p: number, b: Uint8Array, v: DataView, ms: number, me: number, ts: number, te: number): boolean {
    const q = p + me - ms;
    return this.equal(p, b, v, ms, me) && this.arena[q] === 0 && this.equal(q + 1, b, v, ts, te);
  }

  /** Adds a key not held yet; returns it. */
  add(b: Uint8Array, ms: number, me: number, ts: number, te: number, h: number): number {
    const k = this.n++;
    if (k === this.hashes.length) this.growKeys();
    const len = me - ms + 1 + (te - ts);
    if (this.arenaLen + len > this.arena.length) {
      const a = new Uint8Array(Math.max(this.arena.length * 2, this.arenaLen + len));
      a.set(this.arena.subarray(0, this.arenaLen));
      this.arena = a;
      this.arenaView = new DataView(a.buffer);
    }
    const start = this.arenaLen;
    this.arena.set(b.subarray(ms, me), start);
    this.arena[start + me - ms] = 0;
    this.arena.set(b.subarray(ts, te), start + me - ms + 1);
    this.arenaLen += len;
    this.hashes[k] = h;
    this.starts[k] = start;
    this.lens[k] = len;
    this.nameLens[k] = me - ms;
    this.nexts[k] = -1;
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
    const nl = new Uint32Array(cap);
    nl.set(this.nameLens);
    const nx = new Int32Array(cap);
    nx.set(this.nexts);
    this.hashes = h;
    this.starts = s;
    this.lens = l;
    this.nameLens = nl;
    this.nexts = nx;
  }
}

/** The points of a put as columns: point i is series key keys[i] of the table, at timestamps[i] ms. */
export interface OpenTsdbFastBatch {
  count: number;
  keys: Uint32Array;
  timestamps: Float64Array;
  values: Float64Array;
}

/** NUM[0]: the number just scanned by num() / timestamp() / value() (their second result; a typed slot, so no boxed double per write). */
const NUM = new Float64Array(1);

/** The position of the first byte at or after p that is not JSON whitespace. */
function ws(b: Uint8Array, p: number): number {
  // Never reads past the end: its loads are shared by every call, and one read past the end makes
  // V8 compile them all for it.
  const len = b.length;
  if (p >= len) return p;
  let c = b[p]!;
  if (c > 0x20) return p; // the usual case
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
    if (++p === len) return p;
    c = b[p]!;
  }
  return p;
}

/** A JSON number at p (strict grammar) into NUM; the position after it, or -1 when there is none. */
function num(b: Uint8Array, p: number): number {
  const start = p;
  let neg = false;
  if (b[p] === 0x2d) {
    neg = true;
    p++;
  }
  let c = b[p]!;
  let m = 0;
  let digits = 0;
  if (c === 0x30) {
    p++;
    digits = 1;
  } else if (c >= 0x31 && c <= 0x39) {
    do {
      m = m * 10 + (c - 0x30);
      digits++;
      c = b[++p]!;
    } while (c >= 0x30 && c <= 0x39);
  } else return -1;
  let e10 = 0;
  if (b[p] === 0x2e) {
    c = b[++p]!;
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    do {
      m = m * 10 + (c - 0x30);
      digits++;
      e10--;
      c = b[++p]!;
    } while (c >= 0x30 && c <= 0x39);
  }
  c = b[p]!;
  if (c === 0x65 || c === 0x45) {
    c = b[++p]!;
    let eNeg = false;
    if (c === 0x2d || c === 0x2b) {
      eNeg = c === 0x2d;
      c = b[++p]!;
    }
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    let e = 0;
    do {
      if (e < 100_000) e = e * 10 + (c - 0x30);
      c = b[++p]!;
    } while (c >= 0x30 && c <= 0x39);
    e10 += eNeg ? -e : e;
  }
  if (digits <= 15 && e10 >= -22 && e10 <= 22) {
    // Both operands exact doubles: one IEEE operation rounds correctly, as JSON.parse does.
    const v = e10 < 0 ? m / POW10[-e10]! : m * POW10[e10]!;
    NUM[0] = neg ? -v : v;
  } else NUM[0] = Number(latin1(b, start, p));
  return p;
}

function latin1(b: Uint8Array, a: number, e: number): string {
  return Buffer.from(b.buffer, b.byteOffset + a, e - a).toString('latin1');
}

/** A string body at p (after its quote) of printable ASCII without escapes: its closing quote, or -1. */
function plainStringEnd(b: Uint8Array, p: number): number {
  for (let c = b[p]; c !== undefined; c = b[++p]) {
    if (c === 0x22) return p;
    if (c < 0x20 || c === 0x5c || c >= 0x7f) return -1;
  }
  return -1;
}

/** A non-empty name body at p (after its quote) of name bytes only: its closing quote, or -1. */
function nameEnd(b: Uint8Array, p: number): number {
  const start = p;
  for (let c = b[p]; c !== undefined && NAME_BYTE[c] === 1; c = b[++p]);
  return b[p] === 0x22 && p > start ? p : -1;
}

/** A timestamp (number or numeric string) at p into NUM, in ms as the reference takes it; the position after it, or -1. */
function timestamp(b: Uint8Array, p: number): number {
  let c = b[p]!;
  if (c >= 0x31 && c <= 0x39) {
    // A plain positive integer of at most 15 digits (exact as a double): what openTsdbTimestampMs
    // makes of it without its generic checks (seconds below 1e10 → ×1000, exact; ms below 1e13).
    let m = c - 0x30;
    let q = p + 1;
    c = b[q]!;
    while (c >= 0x30 && c <= 0x39) {
      m = m * 10 + (c - 0x30);
      c = b[++q]!;
    }
    if (c !== 0x2e && c !== 0x65 && c !== 0x45 && q - p <= 15) {
      if (m < 1e10) NUM[0] = m * 1000;
      else if (m < 1e13) NUM[0] = m;
      else return -1;
      return q;
    }
  }
  return timestampAny(b, p);
}

/** timestamp() for any number or numeric string, through openTsdbTimestampMs. */
function timestampAny(b: Uint8Array, p: number): number {
  let ms: number | null;
  if (b[p] === 0x22) {
    const e = plainStringEnd(b, p + 1);
    if (e < 0) return -1;
    ms = openTsdbTimestampMs(latin1(b, p + 1, e));
    p = e + 1;
  } else {
    p = num(b, p);
    if (p < 0) return -1;
    ms = openTsdbTimestampMs(NUM[0]!);
  }
  if (ms === null) return -1;
  NUM[0] = ms;
  return p;
}

/** A finite value (number, or numeric string without blanks) at p into NUM; the position after it, or -1. */
function value(b: Uint8Array, p: number): number {
  // The usual case: -?digits(.digits)? with at most 15 digits and no exponent, as num() takes it
  // (the same m and e10, the same single rounding); anything else goes the long way.
  let q = p;
  let c = b[q]!;
  const neg = c === 0x2d;
  if (neg) c = b[++q]!;
  if (c >= 0x31 && c <= 0x39) {
    let m = c - 0x30;
    let digits = 1;
    c = b[++q]!;
    while (c >= 0x30 && c <= 0x39) {
      m = m * 10 + (c - 0x30);
      digits++;
      c = b[++q]!;
    }
    let e10 = 0;
    if (c === 0x2e) {
      c = b[++q]!;
      while (c >= 0x30 && c <= 0x39) {
        m = m * 10 + (c - 0x30);
        digits++;
        e10++;
        c = b[++q]!;
      }
    }
    if (digits <= 15 && c !== 0x65 && c !== 0x45 && (e10 > 0 || b[q - 1] !== 0x2e)) {
      const v = e10 === 0 ? m : m / POW10[e10]!;
      NUM[0] = neg ? -v : v;
      return q;
    }
  }
  return valueAny(b, p);
}

/** value() for any number or numeric string. */
function valueAny(b: Uint8Array, p: number): number {
  if (b[p] === 0x22) {
    const e = plainStringEnd(b, p + 1);
    if (e < 0) return -1;
    const text = latin1(b, p + 1, e);
    if (!NUMBER_RE.test(text)) return -1;
    NUM[0] = Number(text);
    p = e + 1;
  } else {
    p = num(b, p);
    if (p < 0) return -1;
  }
  return Number.isFinite(NUM[0]) ? p : -1;
}

/** A tags object at p ({"name":"value",…}, name strings only): the position after it, or -1. */
function tagsEnd(b: Uint8Array, p: number): number {
  p = ws(b, p + 1);
  if (b[p] === 0x7d) return p + 1;
  for (;;) {
    if (b[p] !== 0x22) return -1;
    p = nameEnd(b, p + 1);
    if (p < 0) return -1;
    p = ws(b, p + 1);
    if (b[p] !== 0x3a) return -1;
    p = ws(b, p + 1);
    if (b[p] !== 0x22) return -1;
    p = nameEnd(b, p + 1);
    if (p < 0) return -1;
    p = ws(b, p + 1);
    const c = b[p++];
    if (c === 0x7d) return p;
    if (c !== 0x2c) return -1;
    p = ws(b, p);
  }
}

/** Decodes a tags object tagsEnd() accepted; null on a repeated or reserved name. */
function decodeTags(b: Uint8Array, ts: number, te: number): Record<string, string> | null {
  const tags: Record<string, string> = {};
  let p = ts + 1;
  while (p < te) {
    if (b[p] !== 0x22) {
      p++;
      continue;
    }
    const ks = p + 1;
    const ke = b.indexOf(0x22, ks);
    const vs = b.indexOf(0x22, ke + 1) + 1;
    const ve = b.indexOf(0x22, vs);
    const k = latin1(b, ks, ke);
    if (k === '__proto__' || Object.prototype.hasOwnProperty.call(tags, k)) return null;
    tags[k] = latin1(b, vs, ve);
    p = ve + 1;
  }
  return tags;
}

/**
 * Whether b at p holds the n (8 to 16) bytes at `at` that timestamp() took, followed by ',', '}'
 * or a blank, which cannot continue a number: then timestamp() would take the same bytes with the
 * same result. Compared as two overlapping doubles: the bytes at `at` are a timestamp's ('0'-'9',
 * '.', 'e', 'E', '+', '-', '"'), never a NaN's or ±0's, so equal doubles means equal bytes.
 */
function sameTimestamp(b: Uint8Array, v: DataView, at: number, p: number, n: number): boolean {
  const e = p + n;
  if (e >= b.length) return false;
  const c = b[e]!;
  if (c !== 0x2c && c !== 0x7d && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  return v.getFloat64(at, true) === v.getFloat64(p, true) && v.getFloat64(at + n - 8, true) === v.getFloat64(e - 8, true);
}

/** Which of the four point keys is at p (after its quote, closing quote included): 1 metric, 2 timestamp, 4 value, 8 tags, 0 none. */
function pointKey(b: Uint8Array, p: number): number {
  const c = b[p];
  if (c === 0x6d) {
    return b[p + 1] === 0x65 && b[p + 2] === 0x74 && b[p + 3] === 0x72 && b[p + 4] === 0x69 && b[p + 5] === 0x63 && b[p + 6] === 0x22 ? 1 : 0;
  }
  if (c === 0x74) {
    if (b[p + 1] === 0x61) return b[p + 2] === 0x67 && b[p + 3] === 0x73 && b[p + 4] === 0x22 ? 8 : 0;
    return b[p + 1] === 0x69 && b[p + 2] === 0x6d && b[p + 3] === 0x65 && b[p + 4] === 0x73 && b[p + 5] === 0x74
      && b[p + 6] === 0x61 && b[p + 7] === 0x6d && b[p + 8] === 0x70 && b[p + 9] === 0x22 ? 2 : 0;
  }
  if (c === 0x76) return b[p + 1] === 0x61 && b[p + 2] === 0x6c && b[p + 3] === 0x75 && b[p + 4] === 0x65 && b[p + 5] === 0x22 ? 4 : 0;
  return 0;
}

/** Four ASCII bytes as the little-endian int32 a DataView reads from them. */
function le32(s: string): number {
  return s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24);
}
const METR = le32('metr');
const RIC_ = le32('ric"');
const TIME = le32('time');
const STAM = le32('stam');
const AMP_ = le32('amp"');
const VALU = le32('valu');
const LUE_ = le32('lue"');
const TAGS = le32('tags');
const AGS_ = le32('ags"');

/** pointKey() for a key whose opening quote is at p, read 4 bytes at a time (needs p + 11 <= length). */
function pointKeyAt(v: DataView, p: number): number {
  const w = v.getInt32(p + 1, true);
  if (w === METR) return v.getInt32(p + 4, true) === RIC_ ? 1 : 0;
  if (w === TIME) return v.getInt32(p + 5, true) === STAM && v.getInt32(p + 7, true) === AMP_ ? 2 : 0;
  if (w === VALU) return v.getInt32(p + 3, true) === LUE_ ? 4 : 0;
  if (w === TAGS) return v.getInt32(p + 2, true) === AGS_ ? 8 : 0;
  return 0;
}

/** Bytes a point key takes after its opening quote, closing quote included (by pointKey's code). */
function keyBytes(k: number): number {
  return k === 1 ? 7 : k === 2 ? 10 : k === 4 ? 6 : 5;
}

/** Hash of a key from the running hashes of its name and tags bytes (murmur3's final mix). */
function mix(mh: number, th: number): number {
  let h = mh ^ Math.imul(th, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Running hash of the bytes b[a, e) (as the key table's hashes are made). */
function hashBytes(b: Uint8Array, a: number, e: number): number {
  let h = 0;
  for (let i = a; i < e; i++) h = (Math.imul(h, 31) + b[i]!) | 0;
  return h;
}

/**
 * The key of a point's name bytes b[ms, me) and tags bytes b[tgs, tge) (tge === tgs: no tags) when
 * the guess was wrong: looked up, or added after the full checks; -1 when they are not plainly valid.
 * (Out of the main loop, so V8 spends its inlining budget there on the common path.)
 */
function keyOf(table: OpenTsdbKeyTable, b: Uint8Array, view: DataView, ms: number, me: number, tgs: number, tge: number): number {
  const h = mix(hashBytes(b, ms, me), tge > tgs ? hashBytes(b, tgs + 1, tge - 1) : 0);
  const key = table.find(b, view, ms, me, tgs, tge, h);
  if (key >= 0) return key;
  // New bytes: the full checks before the key is kept.
  if (nameEnd(b, ms) !== me || (tge > tgs && tagsEnd(b, tgs) !== tge)) return -1;
  if (tge > tgs && decodeTags(b, tgs, tge) === null) return -1; // a repeated or reserved tag name
  return table.add(b, ms, me, tgs, tge, h);
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

/**
 * Parses a put body (one point or an array of points) when every point is plainly valid; null
 * when the reference path must handle it (anything unusual, invalid JSON, or any bad point).
 * New series keys are added to `table` even when it then gives up (they are correct either way).
 * The returned columns are reused by the next call.
 */
export function parseOpenTsdbFast(body: Uint8Array, table: OpenTsdbKeyTable): OpenTsdbFastBatch | null {
  table.bound();
  const b = body;
  const len = b.length;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = ws(b, 0);
  let n = 0;
  // Senders mostly repeat their series in the same order: the key that followed the previous one
  // last time is tried first (one byte comparison instead of a hash and a lookup).
  let prev = table.last;
  // The last timestamp parsed, when it took 8 to 16 bytes: b[tsAt, tsAt + tsLen), tsMs ms.
  // Time-major senders repeat it for every point of a body; the very same bytes are not parsed again.
  let tsAt = 0;
  let tsLen = 0;
  let tsMs = 0;
  const array = b[p] === 0x5b;
  if (array) {
    p = ws(b, p + 1);
    if (b[p] === 0x5d) return ws(b, p + 1) === b.length ? { count: 0, keys: outKeys, timestamps: outTs, values: outVals } : null;
  }
  for (;;) {
    if (b[p] !== 0x7b) return null;
    p = ws(b, p + 1);
    let seen = 0;
    let ms = 0;
    let me = 0;
    let tgs = 0;
    let tge = 0;
    let t = 0;
    let v = 0;
    const guess = table.next(prev);
    let nameOk = false;
    let tagsOk = false;
    for (;;) {
      if (b[p] !== 0x22) return null;
      const k = p + 11 <= len ? pointKeyAt(view, p) : pointKey(b, p + 1);
      if (k === 0 || (seen & k) !== 0) return null;
      seen |= k;
      p += 1 + keyBytes(k);
      if (b[p] !== 0x3a) {
        p = ws(b, p);
        if (b[p] !== 0x3a) return null;
      }
      if (b[++p]! <= 0x20) p = ws(b, p); // blanks are rare: ws() only when there are some
      if (k === 1) {
        // Up to the closing quote; the bytes are checked only if the key is new.
        if (b[p] !== 0x22) return null;
        ms = ++p;
        if (guess >= 0 && table.nameAt(guess, b, view, p, len)) {
          nameOk = true;
          p += table.nameLength(guess);
        } else {
          for (let c = b[p]; c !== 0x22; c = b[++p]) if (p >= len) return null;
        }
        me = p++;
      } else if (k === 2) {
        if (tsLen !== 0 && sameTimestamp(b, view, tsAt, p, tsLen)) {
          t = tsMs;
          p += tsLen;
        } else {
          const s = p;
          p = timestamp(b, p);
          if (p < 0) return null;
          t = tsMs = NUM[0]!;
          tsLen = p - s >= 8 && p - s <= 16 ? p - s : 0;
          tsAt = s;
        }
      } else if (k === 4) {
        p = value(b, p);
        if (p < 0) return null;
        v = NUM[0]!;
      } else {
        // Up to the first '}' (plain tag strings cannot hold one); checked only if new.
        if (b[p] !== 0x7b) return null;
        tgs = p;
        if (guess >= 0 && table.tagsAt(guess, b, view, p, len)) {
          tagsOk = true;
          p += table.tagsLength(guess);
        } else {
          for (let c = b[++p]; c !== 0x7d; c = b[++p]) if (p >= len) return null;
          p++;
        }
        tge = p;
      }
      let c = b[p++];
      if (c! <= 0x20) {
        p = ws(b, p - 1);
        c = b[p++];
      }
      if (c === 0x7d) break;
      if (c !== 0x2c) return null;
      if (b[p]! <= 0x20) p = ws(b, p);
    }
    if ((seen & 7) !== 7) return null;
    let key: number;
    if (nameOk && (tge > tgs ? tagsOk : table.tagsLength(guess) === 0)) key = guess; // the very same bytes
    else {
      key = keyOf(table, b, view, ms, me, tgs, tge);
      if (key < 0) return null;
    }
    table.follows(prev, key);
    prev = key;
    if (n === outKeys.length) growOut();
    outKeys[n] = key;
    outTs[n] = t;
    outVals[n] = v;
    n++;
    if (!array) break;
    if (b[p]! <= 0x20) p = ws(b, p);
    const c = b[p++];
    if (c === 0x5d) break;
    if (c !== 0x2c) return null;
    if (b[p]! <= 0x20) p = ws(b, p);
  }
  return ws(b, p) === b.length ? { count: n, keys: outKeys, timestamps: outTs, values: outVals } : null;
}
