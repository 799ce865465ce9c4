// Smoothing for line charts: the debiased exponential moving average TensorBoard and W&B use.
// weight 0 is no smoothing; 0.99 is very smooth. Gaps (null, NaN, ±Inf) stay gaps and do not
// move the average.

export function ema(values: ReadonlyArray<number | null>, weight: number): (number | null)[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  if (w === 0) return values.slice();
  const out: (number | null)[] = new Array(values.length);
  let last = 0;
  let debias = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || !Number.isFinite(v)) {
      out[i] = null;
      continue;
    }
    last = last * w + (1 - w) * v;
    debias = debias * w + (1 - w);
    out[i] = last / debias;
  }
  return out;
}

