// The timeline strip's arithmetic: state reports collapsed into runs of one state (pure, tested in Node).
import type { CheckState, StateReport } from './types.js';

/** A run of one state in the strip. */
export interface Segment { from: number; to: number; state: CheckState | null; count: number }

/**
 * Collapses state reports (any order) into runs of identical states covering [from, to]; the time
 * before the first report is a null (no data) run.
 */
export function segmentsOf(reports: readonly Pick<StateReport, 'at' | 'state'>[], from: number, to: number): Segment[] {
  const sorted = [...reports].filter((r) => r.at >= from && r.at <= to).sort((a, b) => a.at - b.at);
  const out: Segment[] = [];
  const first = sorted[0];
  if (first === undefined) return [{ from, to, state: null, count: 0 }];
  if (first.at > from) out.push({ from, to: first.at, state: null, count: 0 });
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.state === r.state) { last.count++; continue; }
    if (last !== undefined) last.to = r.at;
    out.push({ from: r.at, to, state: r.state, count: 1 });
  }
  const tail = out[out.length - 1];
  if (tail !== undefined) tail.to = to;
  return out;
}

