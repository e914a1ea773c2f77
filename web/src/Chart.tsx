// A uPlot time-series chart: several series, hover values in the legend, drag to zoom, mouse wheel
// to zoom around the cursor, buttons and arrow keys to pan and zoom, double-click to reset.
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { num } from './lib/format.js';
import type { QueryResult } from './lib/types.js';

const PALETTE = ['#2f7ed8', '#e4572e', '#29a36a', '#b36bd6', '#f0a30a', '#17a2b8', '#d63384', '#6c757d', '#8c564b', '#7fb800'];

/** A series label from its name and tags. */
export function seriesLabel(s: { name: string; tags: Record<string, string> }): string {
  const tags = Object.entries(s.tags).map(([k, v]) => `${k}=${v}`).join(',');
  return tags ? `${s.name}{${tags}}` : s.name;
}

/**
 * Converts a columnar answer (ms timestamps) to uPlot's aligned data (seconds), leaving out the steps
 * where no series has a value, so that samples sparser than the step still draw as lines.
 */
export function toAligned(r: QueryResult): uPlot.AlignedData {
  const keep: number[] = [];
  for (let i = 0; i < r.timestamps.length; i++) {
    if (r.series.some((s) => s.values[i] !== null && s.values[i] !== undefined)) keep.push(i);
  }
  return [keep.map((i) => r.timestamps[i]! / 1000), ...r.series.map((s) => keep.map((i) => s.values[i] ?? null))] as uPlot.AlignedData;
}

/** Zoom by `factor` around fraction `at` (0..1) of the x range, or pan by `shift` of the width. */
function moveX(u: uPlot, factor: number, at: number, shift = 0): void {
  const { min, max } = u.scales.x!;
  if (min === undefined || max === undefined || min === null || max === null) return;
  const w = max - min;
  const c = min + w * at;
  const nw = w * factor;
  const nmin = c - nw * at + w * shift;
  u.setScale('x', { min: nmin, max: nmin + nw });
}

/** The chart; `onDrawn` receives the time from construction to the end of the first draw (ms, data conversion included). */
export function Chart({ result, height = 300, onDrawn }: { result: QueryResult; height?: number; onDrawn?: (ms: number) => void }): JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const styles = getComputedStyle(document.documentElement);
    const fg = styles.getPropertyValue('--fg').trim() || '#888';
    const grid = styles.getPropertyValue('--grid').trim() || 'rgba(128,128,128,.2)';
    let t0: number | null = performance.now();
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      series: [{}, ...result.series.map((s, i) => ({
        label: seriesLabel(s), stroke: PALETTE[i % PALETTE.length], width: 1.5, spanGaps: false,
        value: (_u: uPlot, v: number | null) => num(v),
      }))],
      axes: [axis, { ...axis, values: (_u: uPlot, vals: number[]) => vals.map((v) => num(v)), size: 60 }],
      cursor: { drag: { x: true, y: false, setScale: true } },
      legend: { live: true },
      hooks: {
        // uPlot draws in a microtask after construction: the first draw hook ends the measurement.
        draw: [() => { if (t0 !== null) { onDrawn?.(performance.now() - t0); t0 = null; } }],
        ready: [(u) => {
          u.over.addEventListener('wheel', (e: WheelEvent) => {
            e.preventDefault();
            const r = u.over.getBoundingClientRect();
            moveX(u, e.deltaY < 0 ? 0.8 : 1.25, (e.clientX - r.left) / r.width);
          }, { passive: false });
          u.over.addEventListener('dblclick', () => u.setData(u.data, true));
        }],
      },
    };
    const u = new uPlot(opts, toAligned(result), el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => { ro.disconnect(); u.destroy(); plot.current = null; };
  }, [result, height]);

  const key = (e: KeyboardEvent): void => {
    const u = plot.current;
    if (u === null) return;
    if (e.key === 'ArrowLeft') moveX(u, 1, 0.5, -0.25);
    else if (e.key === 'ArrowRight') moveX(u, 1, 0.5, 0.25);
    else if (e.key === '+' || e.key === '=') moveX(u, 0.5, 0.5);
    else if (e.key === '-') moveX(u, 2, 0.5);
    else if (e.key === '0') u.setData(u.data, true);
    else return;
    e.preventDefault();
  };
  const btn = (label: string, title: string, f: (u: uPlot) => void): JSX.Element => (
    <button type="button" class="btn small" title={title} aria-label={title} onClick={() => { if (plot.current) f(plot.current); }}>{label}</button>
  );
  return (
    <div class="chart">
      <div class="chart-tools" role="group" aria-label="Zoom and pan">
        {btn('←', 'Pan left', (u) => moveX(u, 1, 0.5, -0.25))}{btn('→', 'Pan right', (u) => moveX(u, 1, 0.5, 0.25))}
        {btn('+', 'Zoom in', (u) => moveX(u, 0.5, 0.5))}{btn('−', 'Zoom out', (u) => moveX(u, 2, 0.5))}{btn('Reset', 'Reset zoom', (u) => u.setData(u.data, true))}
      </div>
      <div ref={box} class="chart-canvas" tabIndex={0} onKeyDown={key} aria-label="Chart: drag to zoom, wheel to zoom, arrow keys to pan, 0 to reset" />
    </div>
  );
}
