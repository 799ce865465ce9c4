// Metric series: the sampled shape of the history API, made from plain rows where the server
// (or a live event) gives rows, and grouped into a mean with a min/max band.

import { chartValue, toNumber } from './values';

export type Row = { _step: number; _timestamp?: number; [key: string]: unknown };

/** One key's history as the API samples it: per bucket the x of its last point, min, max and last. */
export interface SampledSeries {
  x: number[];
  min: (number | string | null)[];
  max: (number | string | null)[];
  last: (number | string | null)[];
  count?: number;
}

export interface SampledHistory {
  x: string;
  series: Record<string, SampledSeries>;
}

export interface GroupSeries {
  value: string;
  runs: number;
  x: number[];
  mean: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
}

export const RESERVED = new Set(['_step', '_timestamp', '_runtime']);

/** The metric keys in rows (everything but `_step` and `_timestamp`). */
export function rowKeys(rows: readonly Row[]): string[] {
  const keys = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (!RESERVED.has(k)) keys.add(k);
  return [...keys].sort();
}

/** x and value pairs of `key`, in x order, for the x axis `xKey` (`_step`, `_timestamp` or a key logged at the same step). */
export function points(rows: readonly Row[], key: string, xKey: string): { x: number[]; v: (number | string | null)[] } {
  const pairs: [number, number | string | null][] = [];
  for (const r of rows) {
    if (!(key in r)) continue;
    const xv = toNumber(r[xKey]);
    if (!Number.isFinite(xv)) continue;
    const v = r[key];
    pairs.push([xv, typeof v === 'number' || typeof v === 'string' ? v : null]);
  }
  let sorted = true;
  for (let i = 1; i < pairs.length && sorted; i++) if (pairs[i][0] < pairs[i - 1][0]) sorted = false;
  if (!sorted) pairs.sort((a, b) => a[0] - b[0]);
  return { x: pairs.map((p) => p[0]), v: pairs.map((p) => p[1]) };
}

/**
 * Buckets points the way `samples=` does: at most `samples` equal-width buckets over the x range,
 * each with the x of its last point, the min, max and last value; every point kept when there are
 * fewer points than buckets.
 */
export function bucketize(x: readonly number[], v: readonly (number | string | null)[], samples: number): SampledSeries {
  const n = x.length;
  if (n <= samples || samples <= 0) return { x: x.slice(), min: v.slice(), max: v.slice(), last: v.slice(), count: n };
  const lo = x[0];
  const hi = x[n - 1];
  const width = (hi - lo) / samples || 1;
  const out: SampledSeries = { x: [], min: [], max: [], last: [], count: n };
  let bucket = -1;
  let mn = Infinity;
  let mx = -Infinity;
  const flush = (i: number) => {
    out.x.push(x[i]);
    out.min.push(Number.isFinite(mn) ? mn : 'NaN');
    out.max.push(Number.isFinite(mx) ? mx : 'NaN');
    out.last.push(v[i]);
  };
  for (let i = 0; i < n; i++) {
    const b = Math.min(Math.floor((x[i] - lo) / width), samples - 1);
    if (b !== bucket && bucket >= 0) {
      flush(i - 1);
      mn = Infinity;
      mx = -Infinity;
    }
    bucket = b;
    const num = toNumber(v[i]);
    if (Number.isFinite(num)) {
      mn = Math.min(mn, num);
      mx = Math.max(mx, num);
    }
  }
  flush(n - 1);
  return out;
}

/** Rows (the history API without `samples`, or a live event) as the sampled shape. */
export function rowsToSampled(rows: readonly Row[], keys: readonly string[] | null, xKey: string, samples: number): SampledHistory {
  const series: Record<string, SampledSeries> = {};
  for (const key of keys ?? rowKeys(rows)) {
    if (key === xKey) continue;
    const p = points(rows, key, xKey);
    if (p.x.length) series[key] = bucketize(p.x, p.v, samples);
  }
  return { x: xKey, series };
}

/** Adds live rows to a series in place (points at an x already present replace it: a rewritten step). */
export function appendRows(s: SampledSeries, rows: readonly Row[], key: string, xKey: string): boolean {
  const p = points(rows, key, xKey);
  if (!p.x.length) return false;
  for (let i = 0; i < p.x.length; i++) {
    const x = p.x[i];
    const v = p.v[i];
    const last = s.x.length - 1;
    if (last >= 0 && x < s.x[last]) {
      // An earlier step rewritten: find it; a point between buckets is simply inserted.
      let j = s.x.length - 1;
      while (j >= 0 && s.x[j] > x) j--;
      if (j >= 0 && s.x[j] === x) {
        s.min[j] = v;
        s.max[j] = v;
        s.last[j] = v;
      } else {
        s.x.splice(j + 1, 0, x);
        s.min.splice(j + 1, 0, v);
        s.max.splice(j + 1, 0, v);
        s.last.splice(j + 1, 0, v);
      }
      continue;
    }
    if (last >= 0 && x === s.x[last]) {
      s.min[last] = v;
      s.max[last] = v;
      s.last[last] = v;
      continue;
    }
    s.x.push(x);
    s.min.push(v);
    s.max.push(v);
    s.last.push(v);
    s.count = (s.count ?? 0) + 1;
  }
  return true;
}

/**
 * The mean, min and max across runs per x bucket: each run contributes its last value in the
 * bucket. Used when the server's grouped history is not available.
 */
export function aggregate(value: string, runs: readonly { x: readonly number[]; y: readonly (number | string | null)[] }[], samples: number): GroupSeries {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of runs) {
    if (!r.x.length) continue;
    lo = Math.min(lo, r.x[0]);
    hi = Math.max(hi, r.x[r.x.length - 1]);
  }
  const out: GroupSeries = { value, runs: runs.length, x: [], mean: [], min: [], max: [] };
  if (!Number.isFinite(lo)) return out;
  const buckets = Math.max(1, samples);
  const width = (hi - lo) / buckets || 1;
  const sums = new Float64Array(buckets);
  const counts = new Uint32Array(buckets);
  const mins = new Float64Array(buckets).fill(Infinity);
  const maxs = new Float64Array(buckets).fill(-Infinity);
  const xs = new Float64Array(buckets).fill(-Infinity);
  for (const r of runs) {
    const lastIn = new Map<number, number>();
    for (let i = 0; i < r.x.length; i++) {
      const b = Math.min(Math.floor((r.x[i] - lo) / width), buckets - 1);
      lastIn.set(b, i);
    }
    for (const [b, i] of lastIn) {
      const y = chartValue(r.y[i]);
      xs[b] = Math.max(xs[b], r.x[i]);
      if (y === null) continue;
      sums[b] += y;
      counts[b]++;
      mins[b] = Math.min(mins[b], y);
      maxs[b] = Math.max(maxs[b], y);
    }
  }
  for (let b = 0; b < buckets; b++) {
    if (xs[b] === -Infinity) continue;
    out.x.push(xs[b]);
    out.mean.push(counts[b] ? sums[b] / counts[b] : null);
    out.min.push(counts[b] ? mins[b] : null);
    out.max.push(counts[b] ? maxs[b] : null);
  }
  return out;
}
