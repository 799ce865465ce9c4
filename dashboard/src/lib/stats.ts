// Statistics for the charts.

/**
 * The y range a chart draws while it ignores outliers (the default, as W&B's "ignore outliers"):
 * the bulk of the values, from the 5th to the 95th percentile, widened by `spread` times its own
 * span on either side, and never beyond the data's own minimum and maximum. Null when that cuts
 * nothing, or there are too few values to call any an outlier: the chart then fits every value.
 * The spread is wide (10) because training curves are heavy-tailed: a loss's first steps lie far
 * above its bulk and must stay in view; a diverging run lies orders of magnitude beyond it.
 */
export function robustRange(values: readonly number[], spread = 10): [number, number] | null {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length < 20) return null;
  const at = (q: number) => finite[Math.min(finite.length - 1, Math.max(0, Math.round(q * (finite.length - 1))))];
  const [low, high] = [at(0.05), at(0.95)];
  const span = high - low;
  const min = Math.max(finite[0], low - spread * span);
  const max = Math.min(finite[finite.length - 1], high + spread * span);
  return min > finite[0] || max < finite[finite.length - 1] ? [min, max] : null;
}
