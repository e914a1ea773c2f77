// Chunk codec: a block of samples (sorted timestamps plus one or more value columns) as bytes.
// Timestamps: delta or delta-of-delta (whichever is smaller), centred on the median and bit-packed
// with an escape for outliers — a regular 10 s series costs 1 bit per timestamp.
// Values: when every value of a column is a decimal with few digits (like VictoriaMetrics does) it
// is scaled to an integer and encoded like timestamps; otherwise Gorilla XOR encoding of the raw
// IEEE-754 bits keeps NaN, ±Infinity, -0 and any double exactly.
import { BitReader, BitWriter, bitLength, unzigzag, zigzag } from './bits.js';

const FORMAT_VERSION = 1;
/** Integers handled by the integer path must stay below this magnitude (so zig-zagged residuals stay exact). */
export const MAX_SAFE_CODEC_INT = 2 ** 49;
/** Most samples one chunk may hold (a regular constant series costs almost nothing per sample). */
export const MAX_CHUNK_SAMPLES = 1 << 22;
const MODE_DECIMAL = 0;
const MODE_XOR = 1;
const MAX_DECIMALS = 15;
const POW10: number[] = Array.from({ length: MAX_DECIMALS + 1 }, (_, i) => 10 ** i);
/** residualCost's histograms (by bit length), reused: encoding is synchronous. */
const HIST = new Float64Array(56);
const ALL_ONES = new Float64Array(56);

/** A decoded chunk: `count` samples, timestamps ascending, one Float64Array per value column. */
export interface DecodedChunk {
  count: number;
  timestamps: Float64Array;
  columns: Float64Array[];
}

// ---------- integer sequences ----------

/**
 * Cost in bits of the residuals packed with width b and escapes: each value costs b bits; a value
 * that does not fit below the reserved code 2^b − 1 costs b + 6 + its length. b = 0 only when all are 0.
 */
function residualCost(res: Float64Array, m: number, scratch: Float64Array): { center: number; width: number; bits: number } {
  if (m === 0) return { center: 0, width: 0, bits: 0 };
  // Centre: the median of at most 63 evenly spaced residuals (cheap, and robust to counter resets).
  const k = Math.min(m, 63);
  for (let i = 0; i < k; i++) scratch[i] = res[Math.floor((i * m) / k)]!;
  const sorted = scratch.subarray(0, k).sort();
  const center = sorted[k >> 1]!;
  const hist = HIST.fill(0); // by bit length
  const allOnes = ALL_ONES.fill(0); // values equal to 2^len − 1 (the reserved code of width len)
  let maxLen = 0;
  for (let i = 0; i < m; i++) {
    const d = res[i]! - center;
    const z = d >= 0 ? 2 * d : -2 * d - 1;
    let len: number;
    let ones: boolean;
    if (z < 2147483648) {
      // The usual case in 32-bit integer arithmetic: z is an integer below 2^31.
      const zi = z | 0;
      len = 32 - Math.clz32(zi);
      ones = (zi & (zi + 1)) === 0; // z + 1 is a power of two
    } else {
      len = bitLength(z);
      ones = bitLength(z + 1) > len;
    }
    hist[len]!++;
    if (ones) allOnes[len]!++;
    if (len > maxLen) maxLen = len;
  }
  let best = hist[0] === m ? 0 : Infinity;
  let bestB = 0;
  // Widths past maxLen + 1 only cost more (every value then fits, at b bits each): not tried.
  const lastB = Math.min(54, maxLen + 1);
  for (let b = 1; b <= lastB; b++) {
    let cost = 0;
    for (let len = 0; len <= maxLen; len++) {
      const c = hist[len]!;
      if (c === 0) continue;
      if (len < b) cost += c * b;
      else if (len === b) cost += (c - allOnes[len]!) * b + allOnes[len]! * (b + 6 + len);
      else cost += c * (b + 6 + len);
    }
    if (cost < best) {
      best = cost;
      bestB = b;
    }
  }
  return { center, width: bestB, bits: best + 6 + 2 * bitLength(zigzag(center)) };
}

function writeVarUint(w: BitWriter, v: number): void {
  const len = bitLength(v);
  w.write(len, 6);
  w.writeUint(v, len);
}

function readVarUint(r: BitReader): number {
  return r.readUint(r.read(6));
}

function writeResiduals(w: BitWriter, res: Float64Array, m: number, center: number, width: number): void {
  writeVarUint(w, zigzag(center));
  w.write(width, 6);
  if (width === 0) return; // every residual equals the centre
  const escape = 2 ** width - 1;
  for (let i = 0; i < m; i++) {
    const z = zigzag(res[i]! - center);
    if (z < escape) {
      w.writeUint(z, width);
    } else {
      const len = bitLength(z);
      w.writeUint(escape, width);
      w.write(len, 6);
      w.writeUint(z, len);
    }
  }
}

function readResiduals(r: BitReader, out: Float64Array, m: number): void {
  const center = unzigzag(readVarUint(r));
  const width = r.read(6);
  if (width === 0) {
    out.fill(center, 0, m);
    return;
  }
  if (width <= 24) {
    r.unpackResiduals(out, m, width, center);
    return;
  }
  const escape = 2 ** width - 1;
  for (let i = 0; i < m; i++) {
    let z = r.readUint(width);
    if (z === escape) z = r.readUint(r.read(6));
    out[i] = unzigzag(z) + center;
  }
}

/** Writes `n` integers (|v| < 2^49) choosing delta or delta-of-delta residuals, whichever is smaller. */
function writeInts(w: BitWriter, a: Float64Array, n: number): void {
  if (n === 0) return;
  writeVarUint(w, zigzag(a[0]!));
  if (n === 1) return;
  const d1 = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) d1[i - 1] = a[i]! - a[i - 1]!;
  const d2 = new Float64Array(Math.max(0, n - 2));
  for (let i = 1; i < n - 1; i++) d2[i - 1] = d1[i]! - d1[i - 1]!;
  const scratch = new Float64Array(64);
  const c1 = residualCost(d1, n - 1, scratch);
  const c2 = residualCost(d2, n - 2, scratch);
  const secondOrder = c2.bits + 2 * bitLength(zigzag(d1[0]!)) + 6 < c1.bits;
  w.write(secondOrder ? 1 : 0, 1);
  if (secondOrder) {
    writeVarUint(w, zigzag(d1[0]!));
    writeResiduals(w, d2, n - 2, c2.center, c2.width);
  } else {
    writeResiduals(w, d1, n - 1, c1.center, c1.width);
  }
}

function readInts(r: BitReader, out: Float64Array, n: number): void {
  if (n === 0) return;
  out[0] = unzigzag(readVarUint(r));
  if (n === 1) return;
  const secondOrder = r.bit1();
  if (secondOrder) {
    let d = unzigzag(readVarUint(r));
    out[1] = out[0]! + d;
    const dd = new Float64Array(n - 2);
    readResiduals(r, dd, n - 2);
    for (let i = 2; i < n; i++) {
      d += dd[i - 2]!;
      out[i] = out[i - 1]! + d;
    }
  } else {
    const d = new Float64Array(n - 1);
    readResiduals(r, d, n - 1);
    for (let i = 1; i < n; i++) out[i] = out[i - 1]! + d[i - 1]!;
  }
}

// ---------- value columns ----------

/** Smallest number of decimals (0..15) that represents `v` exactly as int/10^e, or -1. */
function decimalsOf(v: number): number {
  if (!Number.isFinite(v) || Object.is(v, -0)) return -1;
  for (let e = 0; e <= MAX_DECIMALS; e++) {
    const p = POW10[e]!;
    const x = Math.round(v * p);
    if (Math.abs(x) >= MAX_SAFE_CODEC_INT) return -1;
    if (x / p === v) return e;
  }
  return -1;
}

/** The common scale of a column if every value survives int/10^e exactly, else -1. */
function columnScale(col: Float64Array, n: number): number {
  let e = 0;
  for (let i = 0; i < n; i++) {
    const v = col[i]!;
    if (i > 0 && v === col[i - 1]) continue;
    const d = decimalsOf(v);
    if (d < 0) return -1;
    if (d > e) e = d;
  }
  const p = POW10[e]!;
  for (let i = 0; i < n; i++) {
    const v = col[i]!;
    const x = Math.round(v * p);
    if (Math.abs(x) >= MAX_SAFE_CODEC_INT || x / p !== v || Object.is(v, -0)) return -1;
  }
  return e;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // little-endian on every platform Node supports: [lo, hi]

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Gorilla XOR encoding (Facebook 2015, as in Prometheus' XOR chunk). */
function writeXor(w: BitWriter, col: Float64Array, n: number): void {
  if (n === 0) return;
  f64[0] = col[0]!;
  let prevHi = u32[1]!;
  let prevLo = u32[0]!;
  w.write(prevHi, 32);
  w.write(prevLo, 32);
  let lead = 255;
  let trail = 0;
  for (let i = 1; i < n; i++) {
    f64[0] = col[i]!;
    const hi = u32[1]!;
    const lo = u32[0]!;
    const xh = (hi ^ prevHi) >>> 0;
    const xl = (lo ^ prevLo) >>> 0;
    prevHi = hi;
    prevLo = lo;
    if (xh === 0 && xl === 0) {
      w.write(0, 1);
      continue;
    }
    w.write(1, 1);
    let l = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
    const t = xl !== 0 ? ctz32(xl) : 32 + ctz32(xh);
    if (l > 31) l = 31;
    if (lead !== 255 && l >= lead && t >= trail) {
      w.write(0, 1);
      writeShifted(w, xh, xl, trail, 64 - lead - trail);
    } else {
      lead = l;
      trail = t;
      const sig = 64 - l - t;
      w.write(1, 1);
      w.write(l, 5);
      w.write(sig === 64 ? 0 : sig, 6);
      writeShifted(w, xh, xl, t, sig);
    }
  }
}

function writeShifted(w: BitWriter, hi: number, lo: number, shift: number, n: number): void {
  let h = hi;
  let l = lo;
  if (shift >= 32) {
    l = h >>> (shift - 32);
    h = 0;
  } else if (shift > 0) {
    l = ((l >>> shift) | (h << (32 - shift))) >>> 0;
    h = h >>> shift;
  }
  if (n > 32) {
    w.write(h, n - 32);
    w.write(l, 32);
  } else {
    w.write(n === 32 ? l : l & ((2 ** n - 1) >>> 0), n);
  }
}

function readShifted(r: BitReader, shift: number, n: number): [number, number] {
  let h = n > 32 ? r.read(n - 32) : 0;
  let l = r.read(n > 32 ? 32 : n);
  if (shift >= 32) {
    h = (l << (shift - 32)) >>> 0;
    l = 0;
  } else if (shift > 0) {
    h = ((h << shift) | (l >>> (32 - shift))) >>> 0;
    l = (l << shift) >>> 0;
  }
  return [h, l];
}

function readXor(r: BitReader, out: Float64Array, n: number): void {
  if (n === 0) return;
  let hi = r.read(32);
  let lo = r.read(32);
  u32[1] = hi;
  u32[0] = lo;
  out[0] = f64[0]!;
  let lead = 0;
  let trail = 0;
  for (let i = 1; i < n; i++) {
    if (r.bit1()) {
      if (r.bit1()) {
        lead = r.read(5);
        let sig = r.read(6);
        if (sig === 0) sig = 64;
        trail = 64 - lead - sig;
      }
      const [xh, xl] = readShifted(r, trail, 64 - lead - trail);
      hi = (hi ^ xh) >>> 0;
      lo = (lo ^ xl) >>> 0;
    }
    u32[1] = hi;
    u32[0] = lo;
    out[i] = f64[0]!;
  }
}

function writeColumn(w: BitWriter, col: Float64Array, n: number): void {
  const e = columnScale(col, n);
  if (e < 0) {
    w.write(MODE_XOR, 2);
    writeXor(w, col, n);
    return;
  }
  w.write(MODE_DECIMAL, 2);
  w.write(e, 4);
  const p = POW10[e]!;
  const ints = new Float64Array(n);
  for (let i = 0; i < n; i++) ints[i] = Math.round(col[i]! * p);
  writeInts(w, ints, n);
}

function readColumn(r: BitReader, out: Float64Array, n: number): void {
  const mode = r.read(2);
  if (mode === MODE_XOR) {
    readXor(r, out, n);
    return;
  }
  if (mode !== MODE_DECIMAL) throw new Error(`chunk: unknown value mode ${mode}`);
  const p = POW10[r.read(4)]!;
  readInts(r, out, n);
  for (let i = 0; i < n; i++) out[i] = out[i]! / p;
}

// ---------- chunks ----------

/**
 * Encodes `n` samples: timestamps (integers, strictly ascending, |t| < 2^49 ms) and one or more value
 * columns of the same length. Throws on unsorted or non-integer timestamps.
 */
export function encodeChunk(timestamps: Float64Array, columns: readonly Float64Array[], n: number = timestamps.length): Uint8Array {
  for (let i = 0; i < n; i++) {
    const t = timestamps[i]!;
    if (!Number.isInteger(t) || Math.abs(t) >= MAX_SAFE_CODEC_INT) throw new Error(`chunk: bad timestamp ${t}`);
    if (i > 0 && t <= timestamps[i - 1]!) throw new Error('chunk: timestamps must be strictly ascending');
  }
  if (columns.length === 0 || columns.length > 15) throw new Error('chunk: 1..15 value columns');
  if (n > MAX_CHUNK_SAMPLES) throw new Error(`chunk: more than ${MAX_CHUNK_SAMPLES} samples`);
  const w = new BitWriter(16 + n * 2);
  w.write(FORMAT_VERSION, 8);
  w.write(columns.length, 4);
  writeVarUint(w, n);
  writeInts(w, timestamps, n);
  for (const col of columns) writeColumn(w, col, n);
  return w.finish();
}

/** Decodes a chunk written by encodeChunk. Throws on corrupt or truncated input. */
export function decodeChunk(data: Uint8Array): DecodedChunk {
  const r = new BitReader(data);
  const version = r.read(8);
  if (version !== FORMAT_VERSION) throw new Error(`chunk: unknown format version ${version}`);
  const ncols = r.read(4);
  const count = readVarUint(r);
  if (count > MAX_CHUNK_SAMPLES) throw new Error('chunk: corrupt sample count');
  const timestamps = new Float64Array(count);
  readInts(r, timestamps, count);
  const columns: Float64Array[] = [];
  for (let c = 0; c < ncols; c++) {
    const col = new Float64Array(count);
    readColumn(r, col, count);
    columns.push(col);
  }
  return { count, timestamps, columns };
}
