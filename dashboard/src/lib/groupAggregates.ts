// What a group's header row in the runs table sums up: per summary column the mean of its runs'
// numbers, per config column the range of their values (both over the runs loaded in the table,
// the same runs the group's count is of).

import { formatCell } from './cellFormat';
import { configValue } from './filters';
import { toNumber } from './values';

export interface AggregateCell {
  text: string;
  title: string;
}

interface RunValues {
  config?: Record<string, unknown> | null;
  summary?: Record<string, unknown> | null;
}

export function meanOf(values: readonly unknown[]): { mean: number; n: number } | null {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (typeof v !== 'number' && typeof v !== 'string') continue;
    const x = toNumber(v);
    if (!Number.isFinite(x)) continue;
    sum += x;
    n++;
  }
  return n ? { mean: sum / n, n } : null;
}

/** Numbers as `lo – hi` (one value: that value); text values as the distinct ones, or how many. */
export function rangeOf(values: readonly unknown[]): string {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (!present.length) return '';
  const nums = present.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (nums.length === present.length) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of nums) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    return lo === hi ? formatCell(lo) : `${formatCell(lo)} – ${formatCell(hi)}`;
  }
  const distinct = [...new Set(present.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))))];
  return distinct.length <= 2 ? distinct.join(', ') : `${distinct.length} values`;
}

/** The header row's cells of a group: column id (`summary.<k>` or `config.<path>`) -> cell. */
export function groupAggregates(runs: readonly RunValues[], columns: readonly string[]): Record<string, AggregateCell> {
  const out: Record<string, AggregateCell> = {};
  for (const col of columns) {
    if (col.startsWith('summary.')) {
      const k = col.slice('summary.'.length);
      const m = meanOf(runs.map((r) => r.summary?.[k]));
      if (m) out[col] = { text: `μ ${formatCell(m.mean)}`, title: `mean of ${col} over ${m.n} run${m.n === 1 ? '' : 's'}: ${m.mean}` };
    } else if (col.startsWith('config.')) {
      const text = rangeOf(runs.map((r) => configValue(r.config, col.slice('config.'.length))));
      if (text) out[col] = { text, title: `${col} in this group: ${text}` };
    }
  }
  return out;
}
