// The steps of media panels: the image slider walks the union of the runs' (sampled) steps, and
// each run shows its value at the chosen step or the latest one before it. Images are fitted to
// their box: a small image is scaled up by a whole factor (drawn pixelated, so a 28 × 28 digit
// stays crisp), a large one scaled down. Pure, so it is unit-tested.

/** The steps of every list, once each, ascending. */
export function unionSteps(lists: Iterable<readonly number[]>): number[] {
  const all = new Set<number>();
  for (const list of lists) for (const s of list) if (Number.isFinite(s)) all.add(s);
  return [...all].sort((a, b) => a - b);
}

/** The latest of `steps` (ascending) at or before `step`; null when there is none (all come after). */
export function stepAtOrBefore(steps: readonly number[], step: number): number | null {
  if (!steps.length || steps[0] > step) return null;
  let lo = 0;
  let hi = steps.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (steps[mid] <= step) lo = mid;
    else hi = mid - 1;
  }
  return steps[lo];
}

/** The index of the step of `steps` (ascending) nearest to `step` (the earlier of two as near); -1 when empty. */
export function nearestIndex(steps: readonly number[], step: number): number {
  if (!steps.length) return -1;
  let best = 0;
  for (let i = 1; i < steps.length; i++) if (Math.abs(steps[i] - step) < Math.abs(steps[best] - step)) best = i;
  return best;
}

/**
 * Whether a run's value at `step` may exist though its sampled steps lack it: the run logged more
 * steps than were sampled, and `step` is within its range.
 */
export function mayHaveUnsampled(sampled: readonly number[], totalSteps: number, step: number): boolean {
  if (!sampled.length || totalSteps <= sampled.length) return false;
  return step > sampled[0] && step < sampled[sampled.length - 1] && !sampled.includes(step);
}

export interface FittedImage {
  width: number;
  height: number;
  /** scaled up: draw with hard pixel edges */
  pixelated: boolean;
}

/**
 * The size to draw a `w` × `h` image in a `boxW` × `boxH` box: at least twice smaller than the box,
 * scaled up by a whole factor and pixelated; smaller than the box, as is; larger, scaled down to fit.
 */
export function fitImage(w: number, h: number, boxW: number, boxH: number): FittedImage {
  if (!(w > 0 && h > 0)) return { width: 0, height: 0, pixelated: false };
  const scale = Math.min(boxW / w, boxH / h);
  if (!(scale > 0)) return { width: w, height: h, pixelated: false };
  if (scale >= 2) {
    const k = Math.floor(scale);
    return { width: w * k, height: h * k, pixelated: true };
  }
  if (scale >= 1) return { width: w, height: h, pixelated: false };
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)), pixelated: false };
}

/** Columns of the grid a list of `n` images is laid out in: square-ish, at most `max`. */
export function gridColumns(n: number, max = 8): number {
  if (n <= 1) return 1;
  return Math.min(max, Math.ceil(Math.sqrt(n)));
}
