// How the runs table writes numbers and run times, one way for every cell so that columns line up
// and read alike: four significant digits, exponent notation for the very small and very large.

import { toNumber } from './values';

const SIG = 4;

/** A number for a table cell: 4 significant digits (whole numbers whole); 1.234e-4 below 1e-3 and from 1e5 up. */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined || v === '') return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') {
    // "NaN" and the infinities travel as strings; other text is shown as it is.
    if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return formatCell(toNumber(v));
    return v;
  }
  if (typeof v !== 'number') return JSON.stringify(v);
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v === 0) return '0';
  // Whole numbers (steps, batch sizes) stay whole below the exponent threshold.
  const rounded = Number.isInteger(v) && Math.abs(v) < 1e5 ? v : Number(v.toPrecision(SIG));
  const a = Math.abs(rounded);
  if (a < 1e-3 || a >= 1e5) return rounded.toExponential(SIG - 1).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(rounded);
}

/** Seconds a run ran: to its end when it ended, to `now` while it runs; null when unknown. */
export function runtimeSeconds(
  run: { state: string; createdAt?: string | null; startedAt?: string | null; finishedAt?: string | null; updatedAt?: string | null },
  now = Date.now(),
): number | null {
  const start = Date.parse(run.startedAt ?? run.createdAt ?? '');
  if (Number.isNaN(start)) return null;
  let end: number;
  if (run.state === 'running') end = now;
  else {
    // A run that ended without a finish time (crashed) ran until it was last heard from.
    end = Date.parse(run.finishedAt ?? run.updatedAt ?? '');
    if (Number.isNaN(end)) return null;
  }
  return Math.max(0, (end - start) / 1000);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A run time: 45s, 3m 05s, 1h 02m, 2d 04h. */
export function formatRuntime(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${pad(m % 60)}m`;
  return `${Math.floor(h / 24)}d ${pad(h % 24)}h`;
}
