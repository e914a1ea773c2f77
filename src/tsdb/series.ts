// Series identity: a metric name plus a tag set, in a project. The canonical key is a string that
// is equal for equal identities whatever the order the tags came in; the index keeps one entry per
// key in a Map, and each entry owns its head (recent samples) as typed arrays — no per-sample objects.
import type { MetricType, Tags } from './types.js';

/** Longest metric name, tag name or tag value accepted. */
export const MAX_NAME_LENGTH = 256;
/** Most tags on one series. */
export const MAX_TAGS = 32;

/** Canonical key: project, name and tags sorted by name, separated by characters names cannot hold. */
export function seriesKey(projectId: number, name: string, tags: Tags): string {
  let key = `${projectId}\u0001${name}`;
  const names = Object.keys(tags);
  if (names.length > 1) names.sort();
  for (const k of names) key += `\u0001${k}\u0002${tags[k]}`;
  return key;
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 0x20) return true;
  return false;
}

/** Why a name or tag set cannot form a series, or null when it can. */
export function seriesProblem(name: string, tags: Tags): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'metric name is empty';
  if (name.length > MAX_NAME_LENGTH) return 'metric name is too long';
  if (hasControl(name)) return 'metric name has control characters';
  const names = Object.keys(tags);
  if (names.length > MAX_TAGS) return `more than ${MAX_TAGS} tags`;
  for (const k of names) {
    const v = tags[k];
    if (k.length === 0 || k.length > MAX_NAME_LENGTH || hasControl(k) || k === '__proto__') return `bad tag name '${k}'`;
    if (typeof v !== 'string' || v.length > MAX_NAME_LENGTH || hasControl(v)) return `bad value of tag '${k}'`;
  }
  return null;
}

/** Tags as a plain object with sorted keys (stored form). */
export function sortedTags(tags: Tags): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(tags).sort()) out[k] = tags[k]!;
  return out;
}

/** One series in memory: identity, type, and its head of samples not yet in a chunk. */
export class SeriesEntry {
  headTs: Float64Array;
  headVals: Float64Array;
  headLen = 0;
  /** Largest timestamp ever appended (ms), -Infinity when none. */
  maxTs = -Infinity;

  constructor(
    readonly id: number,
    readonly projectId: number,
    readonly name: string,
    readonly tags: Readonly<Record<string, string>>,
    public type: MetricType,
    readonly createdAt: number,
  ) {
    this.headTs = new Float64Array(8);
    this.headVals = new Float64Array(8);
  }

  /** Appends one sample to the head, growing the arrays by doubling. */
  push(ts: number, v: number): void {
    if (this.headLen === this.headTs.length) {
      const cap = this.headTs.length * 2;
      const t = new Float64Array(cap);
      t.set(this.headTs);
      const x = new Float64Array(cap);
      x.set(this.headVals);
      this.headTs = t;
      this.headVals = x;
    }
    this.headTs[this.headLen] = ts;
    this.headVals[this.headLen] = v;
    this.headLen++;
    if (ts > this.maxTs) this.maxTs = ts;
  }

  /** Drops the first `n` head samples (they are now in a chunk); shrinks arrays that grew large. */
  dropHead(n: number): void {
    const rest = this.headLen - n;
    if (rest <= 0) {
      this.headLen = 0;
      if (this.headTs.length > 64) {
        this.headTs = new Float64Array(8);
        this.headVals = new Float64Array(8);
      }
      return;
    }
    this.headTs.copyWithin(0, n, this.headLen);
    this.headVals.copyWithin(0, n, this.headLen);
    this.headLen = rest;
  }
}

/**
 * Lookup cache keyed by the tags in the order the client sent them: project → name → tag → value →
 * … → entry. Walking it needs no string building or sorting, which is what makes the hot path fast;
 * a miss falls back to the canonical key (so every order of the same tags finds the same entry).
 */
export class SeriesTrie {
  private readonly roots = new Map<number, TrieNode<SeriesEntry>>();

  /** The entry cached for exactly this project, name and tag order, if any. */
  get(projectId: number, name: string, tags: Tags): SeriesEntry | undefined {
    let node: TrieNode<SeriesEntry> | undefined = this.roots.get(projectId)?.children?.get(name);
    if (node === undefined) return undefined;
    for (const k in tags) {
      const kn: TrieNode<SeriesEntry> | undefined = node.children?.get(k);
      if (kn === undefined) return undefined;
      const vn: TrieNode<SeriesEntry> | undefined = kn.children?.get(tags[k]!);
      if (vn === undefined) return undefined;
      node = vn;
    }
    return node.value ?? undefined;
  }

  /** Forgets every entry of a project. */
  dropProject(projectId: number): void {
    this.roots.delete(projectId);
  }

  /** Caches `entry` under this project, name and tag order. */
  set(projectId: number, name: string, tags: Tags, entry: SeriesEntry): void {
    let root = this.roots.get(projectId);
    if (root === undefined) {
      root = new TrieNode<SeriesEntry>();
      this.roots.set(projectId, root);
    }
    let node = root.child(name);
    for (const k in tags) node = node.child(k).child(tags[k]!);
    node.value = entry;
  }
}

/**
 * A node of a trie keyed by a series' parts in the order the client sent them (project → name → tag
 * → value → …), holding what is cached for that exact order. Also used by the OddEye silence tracker.
 */
export class TrieNode<T> {
  children: Map<string | number, TrieNode<T>> | null = null; // created on first child: most nodes are leaves
  value: T | null = null;

  child(key: string | number): TrieNode<T> {
    if (this.children === null) this.children = new Map();
    let c = this.children.get(key);
    if (c === undefined) {
      c = new TrieNode<T>();
      this.children.set(key, c);
    }
    return c;
  }
}

/** A series as listed to callers. */
export interface SeriesInfo {
  id: number;
  projectId: number;
  name: string;
  tags: Record<string, string>;
  type: MetricType;
}

/** Tag filter: exact value, `*` (tag present with any value) or `a|b|c` (any of). */
export type TagFilter = Readonly<Record<string, string>>;

/** True when the series' tags satisfy every condition of the filter. */
export function tagsMatch(tags: Tags, filter: TagFilter | undefined): boolean {
  if (filter === undefined) return true;
  for (const k of Object.keys(filter)) {
    const want = filter[k]!;
    const have = tags[k];
    if (have === undefined) return false;
    if (want === '*') continue;
    if (want.includes('|')) {
      if (!want.split('|').includes(have)) return false;
    } else if (have !== want) return false;
  }
  return true;
}
