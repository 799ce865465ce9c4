// Brushing parallel coordinates: a range (or set of categories) chosen on an axis narrows the runs
// table and the charts. The brush is kept per field in the workspace state and becomes one more
// condition of the filter language, so the server filters and the link carries it.

import type { Filter } from './filters';

/** Per field: numeric ranges (any of them), or the categories chosen. */
export type Brush = Record<string, { ranges?: [number, number][]; values?: string[] }>;

export function brushFilter(brush: Brush | null | undefined): Filter | null {
  const parts: Filter[] = [];
  for (const [field, b] of Object.entries(brush ?? {})) {
    if (b.values?.length) parts.push({ [field]: { $in: b.values } });
    else if (b.ranges?.length) {
      const ranges = b.ranges.map(([lo, hi]) => ({ [field]: { $gte: Math.min(lo, hi), $lte: Math.max(lo, hi) } }));
      parts.push(ranges.length === 1 ? ranges[0] : { $or: ranges });
    }
  }
  if (!parts.length) return null;
  return parts.length === 1 ? parts[0] : { $and: parts };
}

/**
 * The brush of one axis from ECharts' `axisareaselected` intervals: value ranges on a numeric axis,
 * index ranges on a category axis (turned into its categories). No interval clears the axis.
 */
export function withAxisBrush(brush: Brush, field: string, intervals: [number, number][], categories?: readonly string[]): Brush {
  const next = { ...brush };
  if (!intervals.length) delete next[field];
  else if (categories) {
    const values = categories.filter((_, i) => intervals.some(([a, b]) => i >= Math.min(a, b) - 0.5 && i <= Math.max(a, b) + 0.5));
    next[field] = { values };
  } else next[field] = { ranges: intervals.map(([a, b]) => [a, b]) };
  return next;
}

/** Compact text for the URL: field=lo~hi|lo~hi or field=:a,b (categories), joined by ';'. */
export function encodeBrush(brush: Brush | null | undefined): string {
  return Object.entries(brush ?? {}).map(([field, b]) => b.values
    ? `${field}=:${b.values.map(encodeURIComponent).join(',')}`
    : `${field}=${(b.ranges ?? []).map(([lo, hi]) => `${lo}~${hi}`).join('|')}`).join(';');
}

export function decodeBrush(text: string | null | undefined): Brush {
  const brush: Brush = {};
  for (const part of (text ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const field = part.slice(0, eq);
    const spec = part.slice(eq + 1);
    if (spec.startsWith(':')) brush[field] = { values: spec.slice(1).split(',').filter(Boolean).map(decodeURIComponent) };
    else {
      const ranges = spec.split('|').map((r) => r.split('~').map(Number)).filter((r): r is [number, number] => r.length === 2 && r.every(Number.isFinite));
      if (ranges.length) brush[field] = { ranges };
    }
  }
  return brush;
}

/**
 * The intervals to draw back on an axis after its chart was redrawn: the brush's ranges, or for a
 * category axis an interval around each chosen category's index. Empty when the axis is not brushed.
 */
export function axisIntervals(brush: Brush, field: string, categories?: readonly string[]): [number, number][] {
  const b = brush[field];
  if (!b) return [];
  if (b.values) {
    if (!categories) return [];
    return b.values.map((v) => categories.indexOf(v)).filter((i) => i >= 0).map((i) => [i - 0.4, i + 0.4]);
  }
  return (b.ranges ?? []).map(([lo, hi]) => [Math.min(lo, hi), Math.max(lo, hi)]);
}

/** The brush in words, for the note beside "clear brush": `lr 0.0001–0.001 · optimizer adam, sgd`. */
export function describeBrush(brush: Brush, format: (v: number) => string = String): string {
  return Object.entries(brush).map(([field, b]) => {
    const name = field.replace(/^(config|summary)\./, '');
    return b.values ? `${name} ${b.values.join(', ')}` : `${name} ${(b.ranges ?? []).map(([lo, hi]) => `${format(Math.min(lo, hi))}\u2013${format(Math.max(lo, hi))}`).join(' or ')}`;
  }).join(' \u00b7 ');
}
