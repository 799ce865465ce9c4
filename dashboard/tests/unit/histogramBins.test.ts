import { describe, expect, it } from 'vitest';
import { gridEdges, heatmapData, histogramRange, isValidHistogram, rebin } from '../../src/lib/histogramBins';
import { heatmapOption } from '../../src/lib/histogramOption';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('histogram re-binning', () => {
  it('makes an even grid over the range, a unit wide around a single value', () => {
    expect(gridEdges(0, 1, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(gridEdges(2, 2, 2)).toEqual([1.5, 2, 2.5]);
    const g = gridEdges(-0.3, 0.7, 10);
    expect(g).toHaveLength(11);
    expect(g[10]).toBe(0.7);
  });

  it('finds the range of every step\'s bins, skipping broken histograms', () => {
    expect(histogramRange([{ edges: [-1, 0, 1], counts: [1, 2] }, { edges: [0.5, 3], counts: [4] }, { edges: [9], counts: [1] }])).toEqual([-1, 3]);
    expect(histogramRange([])).toBeNull();
    expect(isValidHistogram({ edges: [0, 2, 1], counts: [1, 1] })).toBe(false);
    expect(isValidHistogram({ edges: [0, NaN], counts: [1] })).toBe(false);
    expect(isValidHistogram({ edges: [0, 1], counts: [1] })).toBe(true);
  });

  it('keeps counts on the same grid', () => {
    expect(rebin({ edges: [0, 1, 2], counts: [3, 5] }, [0, 1, 2])).toEqual([3, 5]);
  });

  it('shares a bin among the grid bins it overlaps, in proportion, keeping the total', () => {
    // [0, 2) holds 4: half in [0, 1), half in [1, 2); [2, 3) holds 6, all in [2, 4)
    const out = rebin({ edges: [0, 2, 3], counts: [4, 6] }, [0, 1, 2, 4]);
    expect(out).toEqual([2, 2, 6]);
    const h = { edges: [-1, -0.3, 0.2, 0.9], counts: [7, 11, 5] };
    const grid = gridEdges(-1, 1, 16);
    expect(sum(rebin(h, grid))).toBeCloseTo(23, 9);
  });

  it('puts a bin of no width where its value is, and leaves out what is off the grid', () => {
    expect(rebin({ edges: [0.5, 0.5], counts: [9] }, [0, 1, 2])).toEqual([9, 0]);
    expect(rebin({ edges: [2, 2], counts: [9] }, [0, 1, 2])).toEqual([0, 9]); // the top edge is in the last bin
    expect(rebin({ edges: [-4, -2, 1], counts: [5, 3] }, [0, 1, 2])).toEqual([1, 0]);
    expect(rebin({ edges: [0, 1], counts: [1, 2] }, [0, 1])).toEqual([0]); // broken: nothing
  });

  it('makes heat map cells per step, ascending, without empty cells', () => {
    const data = heatmapData([
      { step: 5, histogram: { edges: [1, 2], counts: [2] } },
      { step: 0, histogram: { edges: [0, 1], counts: [4] } },
      { step: 9, histogram: { edges: [0], counts: [] } },
    ], [0, 1, 2]);
    expect(data.steps).toEqual([0, 5]);
    expect(data.cells).toEqual([[0, 0, 4], [1, 1, 2]]);
    expect(data.max).toBe(4);
  });

  it('draws a heat map: steps on x, bins on y, counts coloured up to the highest', () => {
    const data = heatmapData([{ step: 0, histogram: { edges: [0, 1, 2], counts: [1, 3] } }], gridEdges(0, 2, 4));
    const o = heatmapOption(data, '#5470c6') as { xAxis: { data: string[] }; yAxis: { data: string[] }; visualMap: { max: number }; series: { type: string; data: unknown[] }[] };
    expect(o.xAxis.data).toEqual(['0']);
    expect(o.yAxis.data).toEqual(['0.25', '0.75', '1.25', '1.75']);
    expect(o.visualMap.max).toBe(1.5);
    expect(o.series[0].type).toBe('heatmap');
    expect(o.series[0].data).toHaveLength(4);
  });
});
