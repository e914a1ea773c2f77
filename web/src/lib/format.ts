// Formatting of times, durations and numbers for display.

/** "12 s ago", "3 min ago", "2 h ago", "4 d ago" (or "in …" for the future); "never" for null. */
export function ago(t: number | null, now: number): string {
  if (t === null) return 'never';
  const d = now - t;
  const a = Math.abs(d);
  const s = a < 60_000 ? `${Math.round(a / 1000)} s` : a < 3600_000 ? `${Math.round(a / 60_000)} min` : a < 86400_000 ? `${Math.round(a / 3600_000)} h` : `${Math.round(a / 86400_000)} d`;
  return d >= 0 ? `${s} ago` : `in ${s}`;
}

/** A duration in seconds as "90 s", "5 min", "2 h", "1 d". */
export function duration(s: number | null): string {
  if (s === null) return '—';
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/** Local date-time "2024-05-01 13:45:07". */
export function dateTime(t: number | null): string {
  if (t === null) return '—';
  const d = new Date(t);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A number with at most 4 significant digits and k/M/G suffixes. */
export function num(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3)}k`;
  return String(Number(v.toPrecision(4)));
}
