// What the comparison panels show before anyone chooses: a metric that tells runs apart, the
// config keys that were swept, and axes that suit their values. W&B users expect these panels to
// be useful on first sight of a sweep; a constant metric or a seed axis is not.

import { configValue } from './filters';
import { chartValue } from './values';

export interface ComparedRun {
  config: Record<string, unknown>;
  summary?: Record<string, unknown>;
}

/** Names of held-out metrics, which a sweep is judged by. */
const EVALUATION = /(^|[/_.\-])(val|valid|validation|eval|evaluation|test)([/_.\-]|$)/i;

function distinct(values: readonly unknown[]): number {
  return new Set(values.map((v) => JSON.stringify(v))).size;
}

/**
 * The summary key most runs have that varies between them, preferring validation/evaluation names;
 * a constant key only when nothing varies. '' when no run has a numeric summary.
 */
export function defaultMetric(runs: readonly ComparedRun[], keys: readonly string[]): string {
  const scored = keys.filter((k) => !k.startsWith('system/')).map((key) => {
    const values = runs.map((r) => chartValue(r.summary?.[key])).filter((v): v is number => v !== null);
    return { key, count: values.length, varies: distinct(values) > 1, evaluation: EVALUATION.test(key) };
  }).filter((s) => s.count > 0);
  scored.sort((a, b) => Number(b.varies) - Number(a.varies) || Number(b.evaluation) - Number(a.evaluation)
    || b.count - a.count || a.key.localeCompare(b.key));
  return scored[0]?.key ?? '';
}

/**
 * The config keys that vary most (numeric or categorical), at most `max`: more distinct values
 * first, constants never. A key that names each run (a seed, an id: whole numbers or strings
 * different in every run) varies without being swept, so it comes after the others; a sampled
 * float (a random search's learning rate) is different in every run too, and is swept.
 */
export function defaultAxes(runs: readonly ComparedRun[], configKeys: readonly string[], max = 8): string[] {
  const scored = configKeys.map((key) => {
    const values = runs.map((r) => configValue(r.config, key)).filter((v) => v !== undefined && v !== null && typeof v !== 'object');
    const n = distinct(values);
    const naming = values.length > 5 && n === values.length && values.every((v) => typeof v === 'string' || Number.isInteger(v));
    return { key, n, naming: naming || SEED.test(key) };
  }).filter((s) => s.n > 1);
  scored.sort((a, b) => Number(a.naming) - Number(b.naming) || b.n - a.n || a.key.localeCompare(b.key));
  return scored.slice(0, max).map((s) => s.key);
}

/** Names of keys that tell runs apart rather than configure them. */
const SEED = /(^|[/_.\-])(seed|run_?id|id)$/i;

/** A numeric axis is logarithmic when its values are all positive and span over two decades (a learning rate). */
export function wantsLog(values: readonly (number | null)[]): boolean {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length < 2 || finite.some((v) => v <= 0)) return false;
  return Math.max(...finite) / Math.min(...finite) > 100;
}

/** Below this many runs a random forest's importance is mostly noise (correlation is still shown). */
export const MIN_RUNS_FOR_IMPORTANCE = 20;
