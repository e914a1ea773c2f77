// Samples as columns, for moving parsed batches between threads cheaply: each distinct series is
// listed once and every sample points at it by index; the numeric columns are transferable typed
// arrays. A parser worker builds these; the writer thread calls Tsdb.appendColumns.
import type { Tags } from './types.js';

/** A batch of samples as columns (structured-clone friendly). */
export interface SampleColumns {
  /** Distinct series of the batch: names[i] with tags[i]. */
  names: string[];
  tags: Array<Record<string, string>>;
  /** Per sample: index into names/tags. */
  series: Uint32Array;
  timestamps: Float64Array;
  values: Float64Array;
  count: number;
}

interface Node {
  next: Map<string, Node> | null;
  idx: number;
}

function childOf(n: Node, key: string): Node {
  if (n.next === null) n.next = new Map();
  let c = n.next.get(key);
  if (c === undefined) {
    c = { next: null, idx: -1 };
    n.next.set(key, c);
  }
  return c;
}

/** Collects samples into SampleColumns, listing each series once (looked up by a trie: no key strings built). */
export class SampleColumnsBuilder {
  private readonly root: Node = { next: null, idx: -1 };
  private readonly names: string[] = [];
  private readonly tags: Array<Record<string, string>> = [];
  private series: Uint32Array;
  private timestamps: Float64Array;
  private values: Float64Array;
  private n = 0;

  constructor(capacity = 1024) {
    this.series = new Uint32Array(capacity);
    this.timestamps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  /** Adds one sample. */
  add(name: string, tags: Tags, timestampMs: number, value: number): void {
    let node = childOf(this.root, name);
    for (const k in tags) node = childOf(childOf(node, k), tags[k]!);
    let idx = node.idx;
    if (idx < 0) {
      idx = this.names.length;
      node.idx = idx;
      this.names.push(name);
      this.tags.push({ ...tags });
    }
    if (this.n === this.series.length) this.grow();
    this.series[this.n] = idx;
    this.timestamps[this.n] = timestampMs;
    this.values[this.n] = value;
    this.n++;
  }

  private grow(): void {
    const cap = this.series.length * 2;
    const s = new Uint32Array(cap);
    s.set(this.series);
    const t = new Float64Array(cap);
    t.set(this.timestamps);
    const v = new Float64Array(cap);
    v.set(this.values);
    this.series = s;
    this.timestamps = t;
    this.values = v;
  }

  /** The columns (trimmed copies); the builder can be discarded afterwards. */
  build(): SampleColumns {
    return {
      names: this.names, tags: this.tags, count: this.n,
      series: this.series.slice(0, this.n), timestamps: this.timestamps.slice(0, this.n), values: this.values.slice(0, this.n),
    };
  }
}
