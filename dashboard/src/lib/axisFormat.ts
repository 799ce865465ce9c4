// Axis ticks and x readouts that stay legible: tick labels with as many decimals as the range
// needs (no "0.999 0.999 0.999" on a narrow range), durations for the relative-time axis, and the
// x axis named in tooltips. Pure, so it is unit-tested.

import type { SampledSeries } from './series';
import { formatNumber } from './values';

/** The relative-time x axis: seconds since the run started (computed here from _timestamp). */
export const RUNTIME = '_runtime';

export function xAxisLabel(xKey: string): string {
  if (xKey === '_step') return 'Step';
  if (xKey === '_timestamp') return 'Time';
  if (xKey === RUNTIME) return 'Relative time';
  return xKey;
}

/**
 * Decimals enough to tell ticks apart over [lo, hi]: ECharts splits a range into about five nice
 * intervals, so a tenth of the span is finer than any tick step it picks.
 */
export function decimalsFor(lo: number, hi: number): number {
  const span = Math.abs(hi - lo);
  if (!Number.isFinite(span) || span === 0) return 6;
  return Math.min(12, Math.max(0, Math.ceil(-Math.log10(span / 10))));
}

/** A tick label: rounded to `decimals` (when given), then as short as the number allows. */
export function tickLabel(v: number, decimals?: number): string {
  if (!Number.isFinite(v)) return '';
  let x = decimals === undefined ? v : Number(v.toFixed(decimals));
  x = Number(x.toPrecision(12)); // float noise: 0.30000000000000004
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-4) return x.toExponential().replace('e+', 'e');
  if (Number.isInteger(x) && a >= 1000) return x.toLocaleString('en-US');
  return String(x);
}

/** A step of 1, 2, 2.5 or 5 times a power of ten near `raw`: ECharts' kind of tick interval. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * p;
}

/**
 * An automatic y range widened to whole ticks, so the axis does not end on an odd value whose
 * label crowds the nearest tick's ("0.104" over "0.1").
 */
export function niceRange([lo, hi]: readonly [number, number], ticks = 5): [number, number] {
  const step = niceStep((hi - lo) / ticks);
  const round = (v: number) => Number(v.toPrecision(12));
  return [round(Math.floor(lo / step) * step), round(Math.ceil(hi / step) * step)];
}

const DURATION_STEPS = [
  0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
  3600, 7200, 10800, 21600, 43200, 86400, 172800, 432000, 864000,
];

/** A tick interval in seconds for a relative-time axis spanning `span` seconds: whole minutes and hours where they fit. */
export function durationInterval(span: number, ticks = 5): number {
  const raw = span / Math.max(1, ticks);
  for (const s of DURATION_STEPS) if (s >= raw) return s;
  return Math.ceil(raw / 864000) * 864000;
}

/** "0s", "45s", "1.5s", "3m", "3m 20s", "2h 5m", "1d 3h". */
export function durationLabel(seconds: number, decimals = 0): string {
  if (!Number.isFinite(seconds)) return '';
  const sign = seconds < 0 ? '-' : '';
  const t = Math.abs(seconds);
  if (t < 60) return `${sign}${Number(t.toFixed(decimals))}s`;
  const whole = Math.round(t);
  const d = Math.floor(whole / 86400);
  const h = Math.floor((whole % 86400) / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const parts = d ? [`${d}d`, h ? `${h}h` : ''] : h ? [`${h}h`, m ? `${m}m` : ''] : [`${m}m`, s ? `${s}s` : ''];
  return sign + parts.filter(Boolean).join(' ');
}

/** The x of a tooltip, the axis named: "Step 1,200", "Relative time 3m 20s", "Time 12/05/2025, 14:03:07". */
export function xReadout(xKey: string, x: number): string {
  if (xKey === '_timestamp') return `Time ${new Date(x).toLocaleString()}`;
  if (xKey === RUNTIME) return `Relative time ${durationLabel(x, x < 10 ? 2 : 1)}`;
  return `${xAxisLabel(xKey)} ${formatNumber(x)}`;
}

/**
 * A run's series over time made relative to its start (seconds, as _timestamp). The start is when
 * the SDK sent the run's first frame, which can come after the first steps were logged (frames are
 * sent in the background): the earliest step is the start then, so no time is negative.
 */
export function relativeTo(series: SampledSeries, startSeconds: number): SampledSeries {
  const origin = series.x.reduce((a, t) => Math.min(a, t), startSeconds);
  return { ...series, x: series.x.map((t) => t - origin) };
}

/** A run's start in seconds (its createdAt is when the SDK started it), or null when unknown. */
export function runStartSeconds(createdAt: string | null | undefined): number | null {
  if (!createdAt) return null;
  const ms = Date.parse(createdAt);
  return Number.isFinite(ms) ? ms / 1000 : null;
}
