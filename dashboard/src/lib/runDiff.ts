// The run comparer's rows: every config and summary key of the chosen runs, side by side, with
// the keys whose values differ marked (and first, when asked), as W&B's run comparer shows them.

import { configValue } from './filters';
import { flatten } from './values';

export interface DiffRun {
  runId: string;
  config: Record<string, unknown>;
  summary?: Record<string, unknown>;
}

export interface DiffRow {
  /** `config.<path>` or `summary.<key>` */
  field: string;
  values: unknown[];
  differs: boolean;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function diffRuns(runs: readonly DiffRun[], o: { onlyDifferences?: boolean; differencesFirst?: boolean } = {}): DiffRow[] {
  const configKeys = new Set<string>();
  const summaryKeys = new Set<string>();
  for (const r of runs) {
    for (const k of Object.keys(flatten(r.config))) configKeys.add(k);
    for (const k of Object.keys(r.summary ?? {})) if (!k.startsWith('system/')) summaryKeys.add(k);
  }
  const rows: DiffRow[] = [];
  const add = (field: string, values: unknown[]) => rows.push({ field, values, differs: values.some((v) => !same(v, values[0])) });
  for (const k of [...configKeys].sort()) add(`config.${k}`, runs.map((r) => configValue(r.config, k)));
  for (const k of [...summaryKeys].sort()) add(`summary.${k}`, runs.map((r) => r.summary?.[k]));
  const kept = o.onlyDifferences ? rows.filter((r) => r.differs) : rows;
  // A stable sort keeps config before summary and names in order within each half.
  return o.differencesFirst ? [...kept].sort((a, b) => Number(b.differs) - Number(a.differs)) : kept;
}
