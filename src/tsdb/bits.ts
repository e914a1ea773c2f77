// Bit-level writer and reader for the chunk codec. Numbers up to 53 bits are written as a high and
// a low 32-bit half because JavaScript bit operators work on 32 bits only.

const TWO32 = 4294967296;

const POW2: number[] = Array.from({ length: 54 }, (_, i) => 2 ** i);

/** Appends bits MSB-first into a growable byte buffer, 32 bits at a time. */
export class BitWriter {
  private buf: Uint8Array;
  private byte = 0; // whole bytes flushed
  private cur = 0; // pending bits, left-aligned in 32 bits
  private nbits = 0; // pending bit count (< 32)

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(Math.max(16, initialBytes));
  }

  private flush32(x: number): void {
    if (this.byte + 4 > this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2 + 8);
      next.set(this.buf);
      this.buf = next;
    }
    const b = this.buf;
    const i = this.byte;
    b[i] = x >>> 24;
    b[i + 1] = (x >>> 16) & 255;
    b[i + 2] = (x >>> 8) & 255;
    b[i + 3] = x & 255;
    this.byte = i + 4;
  }

  /** Writes the low `n` (0..32) bits of the unsigned integer `v`. */
  write(v: number, n: number): void {
    if (n === 0) return;
    const x = n === 32 ? v >>> 0 : v & ((1 << n) - 1);
    const free = 32 - this.nbits;
    if (n < free) {
      this.cur = (this.cur | (x << (free - n))) >>> 0;
      this.nbits += n;
      return;
    }
    const rest = n - free;
    this.flush32((this.cur | (x >>> rest)) >>> 0);
    this.cur = rest === 0 ? 0 : (x << (32 - rest)) >>> 0;
    this.nbits = rest;
  }

  /** Writes one bit. */
  bit1(b: boolean): void {
    this.write(b ? 1 : 0, 1);
  }

  /** Writes the low `n` (0..64) bits of the 64-bit number given as two unsigned 32-bit halves. */
  write64(hi: number, lo: number, n: number): void {
    if (n > 32) {
      this.write(hi, n - 32);
      this.write(lo, 32);
    } else {
      this.write(lo, n);
    }
  }

  /** Writes a non-negative integer below 2^53 in exactly `n` bits (n ≤ 53). */
  writeUint(v: number, n: number): void {
    if (n > 32) this.write64(Math.floor(v / TWO32), v >>> 0, n);
    else this.write(v >>> 0, n);
  }

  /** The bytes written so far (a copy trimmed to length). */
  finish(): Uint8Array {
    const tail = Math.ceil(this.nbits / 8);
    const out = new Uint8Array(this.byte + tail);
    out.set(this.buf.subarray(0, this.byte));
    for (let k = 0; k < tail; k++) out[this.byte + k] = (this.cur >>> (24 - 8 * k)) & 255;
    return out;
  }

  /** Number of bits written so far. */
  get bitLength(): number {
    return this.byte * 8 + this.nbits;
  }
}

/** Reads bits MSB-first; reading past the end throws (a corrupt chunk never yields garbage silently). */
export class BitReader {
  private pos: number; // absolute bit position
  private readonly end: number;
  private readonly buf: Uint8Array;

  constructor(data: Uint8Array, startByte = 0) {
    this.buf = new Uint8Array(data.length + 8); // padded so that 5-byte loads never run off the end
    this.buf.set(data);
    this.pos = startByte * 8;
    this.end = data.length * 8;
  }

  /** Reads `n` (0..32) bits as an unsigned integer. */
  read(n: number): number {
    if (n === 0) return 0;
    if (this.pos + n > this.end) throw new Error('chunk truncated');
    const b = this.buf;
    const i = this.pos >>> 3;
    const bit = this.pos & 7;
    this.pos += n;
    if (n <= 24) {
      // Fast path: the bits lie within one 32-bit word.
      const w = (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
      return ((w << bit) >>> (32 - n)) >>> 0;
    }
    const lo = ((b[i + 1]! << 24) | (b[i + 2]! << 16) | (b[i + 3]! << 8) | b[i + 4]!) >>> 0;
    const total = b[i]! * TWO32 + lo; // 40 bits, exact in a double
    return Math.floor(total / POW2[40 - bit - n]!) % POW2[n]!;
  }

  /**
   * Bulk read of `m` residuals packed at `width` (1..24) bits, where the code 2^width − 1 escapes to a
   * 6-bit length and that many bits; writes unzigzag(z) + center into out. The decoder's hot loop.
   */
  unpackResiduals(out: Float64Array, m: number, width: number, center: number): void {
    const b = this.buf;
    const end = this.end;
    const escape = 2 ** width - 1;
    const drop = 32 - width;
    let pos = this.pos;
    for (let i = 0; i < m; i++) {
      if (pos + width > end) throw new Error('chunk truncated');
      const j = pos >>> 3;
      const word = (b[j]! << 24) | (b[j + 1]! << 16) | (b[j + 2]! << 8) | b[j + 3]!;
      let z = ((word << (pos & 7)) >>> drop) >>> 0;
      pos += width;
      if (z === escape) {
        this.pos = pos;
        z = this.readUint(this.read(6));
        pos = this.pos;
      }
      out[i] = (z < 2147483648 ? (z >>> 1) ^ -(z & 1) : unzigzag(z)) + center;
    }
    this.pos = pos;
  }

  /** Reads one bit as a boolean. */
  bit1(): boolean {
    if (this.pos >= this.end) throw new Error('chunk truncated');
    const p = this.pos++;
    return ((this.buf[p >>> 3]! >>> (7 - (p & 7))) & 1) === 1;
  }

  /** Reads an unsigned integer of `n` (≤ 53) bits. */
  readUint(n: number): number {
    if (n > 32) {
      const hi = this.read(n - 32);
      return hi * TWO32 + this.read(32);
    }
    return this.read(n);
  }
}

/** Number of significant bits of a non-negative integer below 2^53 (0 for 0). */
export function bitLength(v: number): number {
  if (v < TWO32) return 32 - Math.clz32(v);
  return 64 - Math.clz32(Math.floor(v / TWO32));
}

/** Maps signed integers (|x| < 2^52) onto non-negative ones: 0,-1,1,-2,2 → 0,1,2,3,4. */
export function zigzag(x: number): number {
  return x >= 0 ? 2 * x : -2 * x - 1;
}

/** Inverse of zigzag. */
export function unzigzag(z: number): number {
  if (z < 2147483648) return (z >>> 1) ^ -(z & 1);
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}
