// Merging samples from several sources (chunks in write order, then the head) into one ascending
// series with unique timestamps. Rule: for equal timestamps the LAST written wins.

/** Samples as parallel arrays; `n` valid entries, timestamps ascending and unique once merged. */
export interface SampleArrays {
  n: number;
  ts: Float64Array;
  vals: Float64Array;
}

/**
 * Merges parts given in write order (older writes first; inside a part, later index = later write)
 * into ascending, unique timestamps, the last write winning a tie. Fast path when already sorted.
 */
export function mergeSamples(parts: readonly SampleArrays[]): SampleArrays {
  if (parts.length === 1 && isStrictlyAscending(parts[0]!)) return parts[0]!; // a decoded chunk: nothing to do
  let total = 0;
  for (const p of parts) total += p.n;
  const ts = new Float64Array(total);
  const vals = new Float64Array(total);
  let k = 0;
  let sorted = true;
  for (const p of parts) {
    for (let i = 0; i < p.n; i++) {
      const t = p.ts[i]!;
      if (k > 0 && t <= ts[k - 1]!) sorted = false;
      ts[k] = t;
      vals[k] = p.vals[i]!;
      k++;
    }
  }
  if (sorted) return { n: total, ts, vals };
  // Stable sort of indexes by timestamp; for a tie the higher index (later write) sorts last.
  const idx = new Uint32Array(total);
  for (let i = 0; i < total; i++) idx[i] = i;
  idx.sort((a, b) => ts[a]! - ts[b]! || a - b);
  const outTs = new Float64Array(total);
  const outVals = new Float64Array(total);
  let n = 0;
  for (let j = 0; j < total; j++) {
    const i = idx[j]!;
    const t = ts[i]!;
    if (n > 0 && outTs[n - 1] === t) {
      outVals[n - 1] = vals[i]!; // a later write of the same timestamp replaces the earlier one
    } else {
      outTs[n] = t;
      outVals[n] = vals[i]!;
      n++;
    }
  }
  return { n, ts: outTs, vals: outVals };
}

function isStrictlyAscending(s: SampleArrays): boolean {
  for (let i = 1; i < s.n; i++) if (s.ts[i]! <= s.ts[i - 1]!) return false;
  return true;
}

/** The part of ascending samples within [from, to] (inclusive), as views (no copy). */
export function sliceRange(s: SampleArrays, from: number, to: number): SampleArrays {
  let lo = 0;
  let hi = s.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.ts[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < s.n && s.ts[end]! <= to) end++;
  return { n: end - lo, ts: s.ts.subarray(lo, end), vals: s.vals.subarray(lo, end) };
}
