import { describe, expect, it } from 'vitest';
import { besidePointer, lineOption } from '../../src/lib/chartOptions';
import { robustRange } from '../../src/lib/stats';

const decay = (n: number, scale = 1) => Array.from({ length: n }, (_, i) => scale / (i + 1));
const series = (ys: number[]) => ({ x: ys.map((_, i) => i), min: ys, max: ys, last: ys });

describe('outliers', () => {
  it('leaves a diverging value off the y range, within the data\'s own bounds', () => {
    const values = [...decay(100), 7e6];
    const [min, max] = robustRange(values)!;
    expect(min).toBe(Math.min(...values));
    expect(max).toBeLessThan(10);
    expect(max).toBeGreaterThanOrEqual(1);          // the start of the decay stays in view
  });

  it('cuts nothing from an ordinary curve, nor from a few points', () => {
    expect(robustRange(decay(100))).toBeNull();
    expect(robustRange([1, 2, 1e9])).toBeNull();
    expect(robustRange([...decay(100), NaN, Infinity])).toBeNull();
  });

  it('sets the y axis from the lines drawn unless the panel shows outliers (or is logarithmic)', () => {
    const input = { metric: 'loss', xKey: '_step', smoothing: 0, runs: [
      { id: 'a', name: 'a', color: '#111111', series: series(decay(60)) },
      { id: 'b', name: 'b', color: '#222222', series: series([...decay(59), 7e6]) },
    ] };
    const ignored = lineOption({ ...input, log: false }) as { yAxis: { min?: number; max?: number } };
    expect(ignored.yAxis.max).toBeLessThan(10);
    const shown = lineOption({ ...input, log: false, outliers: true }) as { yAxis: { min?: number; max?: number } };
    expect(shown.yAxis.max).toBeUndefined();
    const log = lineOption({ ...input, log: true }) as { yAxis: { min?: number; max?: number } };
    expect(log.yAxis.max).toBeUndefined();
  });
});

describe('group bands', () => {
  it('fit the y axis to the mean lines, so one wild run\'s band does not flatten them', () => {
    const x = [0, 1, 2, 3];
    const group = (value: string, mean: number[], spread: number) => ({
      value, runs: 10, color: '#333333', x, mean, min: mean.map((m) => m - spread), max: mean.map((m) => m + spread),
    });
    const o = lineOption({ metric: 'loss', xKey: '_step', log: false, smoothing: 0, groups: [
      group('a', [2, 1.5, 1, 0.8], 0.1),
      group('b', [2, 1.6, 1.2, 1.0], 1e6),
    ] }) as { yAxis: { min?: number; max?: number } };
    expect(o.yAxis.max).toBeLessThan(5);
    expect(o.yAxis.min).toBeGreaterThan(-5);
  });
});

describe('axes', () => {
  it('names the x axis and keeps step ticks whole', () => {
    const step = lineOption({ metric: 'loss', xKey: '_step', log: false, smoothing: 0, runs: [] }) as { xAxis: { name: string; minInterval?: number } };
    expect(step.xAxis).toMatchObject({ name: 'Step', minInterval: 1 });
    const epoch = lineOption({ metric: 'loss', xKey: 'epoch', log: false, smoothing: 0, runs: [] }) as { xAxis: { name: string; minInterval?: number } };
    expect(epoch.xAxis.name).toBe('epoch');
    expect(epoch.xAxis.minInterval).toBeUndefined();
  });
});

type Axis = { name?: string; min?: unknown; max?: unknown; interval?: number; axisLabel: { formatter?: (v: number) => string } };
type Line = { xAxis: Axis; yAxis: Axis; legend: { show: boolean; data: string[] }; tooltip: { confine: boolean; formatter: (p: unknown) => string; position: unknown };
  dataZoom: { startValue?: number; endValue?: number }[]; grid: { top: number } };
const runs = [
  { id: 'a', name: 'run a', color: '#111111', series: series(decay(60)) },
  { id: 'b', name: 'run b', color: '#222222', series: series(decay(60, 2)) },
];

describe('legible panels', () => {
  it('names the y axis after the metric', () => {
    expect((lineOption({ metric: 'val/loss', xKey: '_step', log: false, smoothing: 0, runs }) as Line).yAxis.name).toBe('val/loss');
  });

  it('takes y bounds set by hand over the automatic range, either side alone', () => {
    const both = lineOption({ metric: 'loss', xKey: '_step', log: false, smoothing: 0, runs, yMin: 0, yMax: 0.5 }) as Line;
    expect([both.yAxis.min, both.yAxis.max]).toEqual([0, 0.5]);
    const low = lineOption({ metric: 'loss', xKey: '_step', log: false, smoothing: 0, runs, yMin: -1, yMax: null }) as Line;
    expect(low.yAxis.min).toBe(-1);
    expect(low.yAxis.max).toBeUndefined();
    // a logarithmic axis cannot start at 0
    const log = lineOption({ metric: 'loss', xKey: '_step', log: true, smoothing: 0, runs, yMin: 0 }) as Line;
    expect(log.yAxis.min).toBeUndefined();
  });

  it('zooms to an x range, and fits the y axis to the points in it', () => {
    const o = lineOption({ metric: 'loss', xKey: '_step', log: false, smoothing: 0, runs, xRange: [30, 50] }) as Line;
    expect(o.dataZoom[0]).toMatchObject({ startValue: 30, endValue: 50 });
    const max = o.yAxis.max as number;
    expect(max).toBeLessThan(2 / 20);            // run b at step 30 is 2/31; the start of the curves is out of view
    expect(max).toBeGreaterThan(2 / 31);
  });

  it('shows a legend of the drawn lines on demand', () => {
    const off = lineOption({ metric: 'loss', xKey: '_step', log: false, smoothing: 0.5, runs }) as Line;
    expect(off.legend.show).toBe(false);
    const on = lineOption({ metric: 'loss', xKey: '_step', log: false, smoothing: 0.5, runs, legend: true }) as Line;
    expect(on.legend.show).toBe(true);
    expect(on.legend.data).toEqual(['run a', 'run b']);
    expect(on.grid.top).toBeGreaterThan(off.grid.top);
  });

  it('names the x axis in a confined tooltip', () => {
    const o = lineOption({ metric: 'loss', xKey: '_step', log: false, smoothing: 0, runs }) as Line;
    expect(o.tooltip.confine).toBe(true);
    expect(typeof o.tooltip.position).toBe('function');
    const html = o.tooltip.formatter([{ seriesId: 'a', seriesName: 'run a', color: '#111111', value: [1200, 0.5] }]);
    expect(html).toContain('Step 1,200');
    expect(html).toContain('run a');
  });

  it('draws relative time from 0 in whole-minute ticks', () => {
    const o = lineOption({ metric: 'loss', xKey: '_runtime', log: false, smoothing: 0, runs: [
      { id: 'a', name: 'a', color: '#111111', series: { x: [0.4, 120, 400], min: [1, 2, 3], max: [1, 2, 3], last: [1, 2, 3] } },
    ] }) as Line;
    expect(o.xAxis.name).toBe('Relative time');
    expect(o.xAxis.min).toBe(0);
    expect(o.xAxis.interval).toBe(120);
    expect(o.xAxis.axisLabel.formatter!(240)).toBe('4m');
    expect(o.tooltip.formatter([{ seriesId: 'a', seriesName: 'a', value: [200, 2] }])).toContain('Relative time 3m 20s');
  });

  it('labels y ticks with the decimals the range needs', () => {
    const flat = { id: 'a', name: 'a', color: '#111111', series: series(Array.from({ length: 30 }, (_, i) => 0.999 + i * 0.00002)) };
    const o = lineOption({ metric: 'acc', xKey: '_step', log: false, smoothing: 0, runs: [flat] }) as Line;
    const labels = [0.9991, 0.9992, 0.9993].map((v) => o.yAxis.axisLabel.formatter!(v));
    expect(new Set(labels).size).toBe(3);
  });
});

describe('tooltip place', () => {
  const size = { contentSize: [120, 80] as [number, number], viewSize: [400, 240] as [number, number] };
  it('goes right of the pointer in the left half, left of it in the right half, at the top', () => {
    expect(besidePointer([100, 150], null, null, null, size)).toEqual([116, 4]);
    expect(besidePointer([300, 150], null, null, null, size)).toEqual([164, 4]);
  });
  it('stays in the chart', () => {
    expect(besidePointer([380, 50], null, null, null, size)).toEqual([244, 4]);
    expect(besidePointer([10, 50], null, null, null, { ...size, contentSize: [500, 80] })).toEqual([0, 4]);
    expect(besidePointer([390, 50], null, null, null, { ...size, contentSize: [500, 80] })).toEqual([0, 4]);
  });
});
