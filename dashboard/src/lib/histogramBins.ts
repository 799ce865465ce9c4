// Histograms over steps as a heat map (x = step, y = value, colour = count), as W&B draws them.
// Each step's histogram has bins of its own (the SDK bins every step's values afresh), so they
// are re-binned onto one grid of y bins first: a bin's count is shared among the grid bins it
// overlaps, in proportion to the overlap (values are taken as spread evenly within a bin), so
// the counts of a step add up to the same total. Pure, so it is unit-tested.

export interface Histogram {
  /** ascending, one more than `counts` */
  edges: readonly number[];
  counts: readonly number[];
}

/** Whether a histogram is usable: finite ascending edges, one more than its counts. */
export function isValidHistogram(h: Histogram | null | undefined): h is Histogram {
  if (!h || !Array.isArray(h.edges) || !Array.isArray(h.counts)) return false;
  if (h.edges.length !== h.counts.length + 1 || !h.counts.length) return false;
  for (let i = 0; i < h.edges.length; i++) {
    if (!Number.isFinite(h.edges[i])) return false;
    if (i > 0 && h.edges[i] < h.edges[i - 1]) return false;
  }
  return true;
}

/** The lowest and highest edge of the histograms; null when there is none. */
export function histogramRange(histograms: Iterable<Histogram>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const h of histograms) {
    if (!isValidHistogram(h)) continue;
    lo = Math.min(lo, h.edges[0]);
    hi = Math.max(hi, h.edges[h.edges.length - 1]);
  }
  return lo <= hi ? [lo, hi] : null;
}

/** `bins` equal bins from `lo` to `hi` (a unit wide around a single value). */
export function gridEdges(lo: number, hi: number, bins: number): number[] {
  const n = Math.max(1, Math.floor(bins));
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const edges = Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
  edges[n] = hi; // exactly, whatever the rounding
  return edges;
}

/** The grid bin holding `v`: the last bin holds its upper edge; null outside the grid. */
function binOf(grid: readonly number[], v: number): number | null {
  const n = grid.length - 1;
  if (v < grid[0] || v > grid[n]) return null;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (grid[mid] <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The histogram's counts on the grid's bins. Counts outside the grid are left out. */
export function rebin(h: Histogram, grid: readonly number[]): number[] {
  const out = new Array<number>(Math.max(0, grid.length - 1)).fill(0);
  if (!isValidHistogram(h) || grid.length < 2) return out;
  for (let i = 0; i < h.counts.length; i++) {
    const count = h.counts[i];
    if (!count) continue;
    const a = h.edges[i];
    const b = h.edges[i + 1];
    if (b <= a) {
      // A bin of no width (every value the same): all of it where that value is.
      const j = binOf(grid, a);
      if (j !== null) out[j] += count;
      continue;
    }
    let j = binOf(grid, Math.max(a, grid[0]));
    if (j === null) continue;
    for (; j < out.length && grid[j] < b; j++) {
      const overlap = Math.min(b, grid[j + 1]) - Math.max(a, grid[j]);
      if (overlap > 0) out[j] += (count * overlap) / (b - a);
    }
  }
  return out;
}

export interface HeatmapData {
  steps: number[];
  /** the y grid: bins between consecutive edges */
  edges: number[];
  /** [step index, bin index, count]; empty cells left out */
  cells: [number, number, number][];
  /** the highest count of a cell */
  max: number;
}

/** The cells of a heat map of histograms at steps (ascending steps), on the y grid `edges`. */
export function heatmapData(series: readonly { step: number; histogram: Histogram }[], edges: readonly number[]): HeatmapData {
  const ordered = series.filter((s) => isValidHistogram(s.histogram)).sort((a, b) => a.step - b.step);
  const cells: [number, number, number][] = [];
  let max = 0;
  ordered.forEach((s, x) => {
    rebin(s.histogram, edges).forEach((count, y) => {
      // Shares of a count come with float noise: 1e-12 is no count.
      if (count <= 1e-9) return;
      const c = Number(count.toPrecision(12));
      cells.push([x, y, c]);
      if (c > max) max = c;
    });
  });
  return { steps: ordered.map((s) => s.step), edges: [...edges], cells, max };
}
