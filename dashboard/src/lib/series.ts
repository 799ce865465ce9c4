// Metric series: the sampled shape of the history API (and of grouped history), and live rows
// added to it as a run logs them.

import { toNumber } from './values';

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
  /** sample standard deviation across the group's runs per bucket */
  std?: (number | null)[];
  /** runs with a value per bucket */
  count?: number[];
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
