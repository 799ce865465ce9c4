// The band around a group's mean line: its runs' spread (min to max), or the mean plus and minus
// a standard deviation or a standard error, as W&B offers for grouped runs.

import type { GroupSeries } from './series';

export type BandKind = 'minmax' | 'std' | 'stderr' | 'none';

export const BAND_LABELS: Record<BandKind, string> = {
  minmax: 'min–max', std: '± std dev', stderr: '± std error', none: 'no band',
};

/** Lower and upper edges per point of `g` (null where the group has no value). */
export function bandOf(g: GroupSeries, kind: BandKind): { lower: (number | null)[]; upper: (number | null)[] } | null {
  if (kind === 'none') return null;
  if (kind === 'minmax') return { lower: g.min, upper: g.max };
  const std = g.std;
  if (!std) return null;
  const spread = g.mean.map((m, i) => {
    const s = std[i];
    if (m === null || s === null || s === undefined) return null;
    const n = g.count?.[i] ?? g.runs;
    return kind === 'std' ? s : s / Math.sqrt(Math.max(1, n));
  });
  return {
    lower: g.mean.map((m, i) => (m === null || spread[i] === null ? null : m - spread[i]!)),
    upper: g.mean.map((m, i) => (m === null || spread[i] === null ? null : m + spread[i]!)),
  };
}
