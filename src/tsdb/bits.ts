// Bit-level writer and reader for the chunk codec. Numbers up to 53 bits are written as a high and
// a low 32-bit half because JavaScript bit operators work on 32 bits only.

const TWO32 = 4294967296;

/** Appends bits MSB-first into a growable byte buffer. */
export class BitWriter {
  private buf: Uint8Array;
  private byte = 0;
  private bit = 0; // bits already used in buf[byte]

  constructor(initialBytes = 256) {
    this.buf = new Uint8Array(Math.max(16, initialBytes));
  }

  private ensure(extraBytes: number): void {
    if (this.byte + extraBytes + 1 < this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.byte + extraBytes + 16));
    next.set(this.buf);
    this.buf = next;
  }

  /** Writes the low `n` (0..32) bits of the unsigned integer `v`. */
  write(v: number, n: number): void {
    if (n === 0) return;
    this.ensure(5);
    let left = n;
    while (left > 0) {
      const free = 8 - this.bit;
      const take = free < left ? free : left;
      const shift = left - take;
      const bits = (shift >= 32 ? 0 : v >>> shift) & ((1 << take) - 1);
      this.buf[this.byte]! |= bits << (free - take);
      this.bit += take;
      left -= take;
      if (this.bit === 8) {
        this.byte++;
        this.bit = 0;
      }
    }
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
    return this.buf.slice(0, this.byte + (this.bit > 0 ? 1 : 0));
  }

  /** Number of bits written so far. */
  get bitLength(): number {
    return this.byte * 8 + this.bit;
  }
}

/** Reads bits MSB-first; reading past the end throws (a corrupt chunk never yields garbage silently). */
export class BitReader {
  private pos: number; // absolute bit position
  private readonly end: number;

  constructor(private readonly buf: Uint8Array, startByte = 0) {
    this.pos = startByte * 8;
    this.end = buf.length * 8;
  }

  /** Reads `n` (0..32) bits as an unsigned integer. */
  read(n: number): number {
    if (n === 0) return 0;
    if (this.pos + n > this.end) throw new Error('chunk truncated');
    let v = 0;
    let left = n;
    while (left > 0) {
      const byteIdx = this.pos >>> 3;
      const bitIdx = this.pos & 7;
      const avail = 8 - bitIdx;
      const take = avail < left ? avail : left;
      const bits = (this.buf[byteIdx]! >>> (avail - take)) & ((1 << take) - 1);
      v = v * (1 << take) + bits; // multiplication keeps 32-bit values unsigned
      left -= take;
      this.pos += take;
    }
    return v;
  }

  /** Reads one bit as a boolean. */
  bit1(): boolean {
    return this.read(1) === 1;
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
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}
