// The synthetic series data of the metrics benches (bench/metrics-sender.mjs builds OpenTSDB bodies
// of it, bench/tsdb-bytes.mjs appends it straight to a store), so both measure the same data.

/** Deterministic PRNG (the same data for every server and every run). */
export function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Tags of series k: host and dc (two series per host). */
export function seriesTags(k) {
  return { host: `h-${String(k >> 1).padStart(6, '0')}`, dc: `dc${(k >> 1) % 8}` };
}

/**
 * Values of `series` series: even k are random-walk gauges with one or two decimals, odd k monotonic
 * counters that reset now and then. Returns next(k), the next value of series k; call it time-major
 * (every series at t, then t + intervalSec) for the same data every run.
 */
export function seriesValues(series, { intervalSec = 10, seed = 42 } = {}) {
  const rnd = prng(seed);
  const gauge = new Float64Array(series);
  const decimals = new Uint8Array(series);
  const counter = new Float64Array(series);
  const rate = new Float64Array(series);
  for (let k = 0; k < series; k++) {
    decimals[k] = k % 4 === 0 ? 1 : 2;
    gauge[k] = Math.round(rnd() * 1000 * 10 ** decimals[k]) / 10 ** decimals[k];
    rate[k] = 1 + Math.floor(rnd() * 500);
    counter[k] = Math.floor(rnd() * 1e6);
  }
  return (k) => {
    if (k % 2 === 0) {
      const scale = 10 ** decimals[k];
      gauge[k] = Math.round((gauge[k] + (rnd() - 0.5) * 4) * scale) / scale;
      return gauge[k];
    }
    // ~ one reset per series-day (8,640 points at 10 s).
    counter[k] = rnd() < 1 / 8640 ? Math.floor(rnd() * 10) : counter[k] + Math.round(rate[k] * intervalSec * (0.7 + rnd() * 0.6));
    return counter[k];
  };
}
