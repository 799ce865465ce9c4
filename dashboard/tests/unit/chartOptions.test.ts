import { describe, expect, it } from 'vitest';
import { importanceOption, lineOption, parallelOption } from '../../src/lib/chartOptions';

const series = (ys: (number | string)[]) => ({ x: ys.map((_, i) => i), min: ys, max: ys, last: ys });

describe('line panel option', () => {
  it('draws one sampled line per run', () => {
    const o = lineOption({ metric: 'loss', xKey: '_step', log: false, smoothing: 0, runs: [
      { id: 'a', name: 'run a', color: '#111111', series: series([3, 2, 1]) },
      { id: 'b', name: 'run b', color: '#222222', series: series([4, 'NaN', 2]) },
      { id: 'c', name: 'no data', color: '#333333', series: undefined },
    ] }) as { series: { id: string; sampling: string; data: [number, number | null][] }[] };
    expect(o.series.map((s) => s.id)).toEqual(['a', 'b']);
    expect(o.series[0].sampling).toBe('lttb');
    expect(o.series[1].data[1]).toEqual([1, null]);
  });
  it('adds the smoothed line over a faint raw one', () => {
    const o = lineOption({ metric: 'loss', xKey: '_step', log: false, smoothing: 0.5, runs: [{ id: 'a', name: 'a', color: '#111111', series: series([0, 10]) }] }) as { series: { id: string; data: [number, number][] }[] };
    expect(o.series.map((s) => s.id)).toEqual(['a:raw', 'a']);
    expect(o.series[1].data[1][1]).toBeCloseTo(5 / 0.75, 10);
  });
  it('uses a log axis without non-positive values and a time axis in ms', () => {
    const o = lineOption({ metric: 'loss', xKey: '_timestamp', log: true, smoothing: 0, runs: [{ id: 'a', name: 'a', color: '#111111', series: { x: [10, 11], min: [0, 1], max: [0, 1], last: [0, 1] } }] }) as {
      yAxis: { type: string }; xAxis: { type: string }; series: { data: [number, number | null][] }[];
    };
    expect(o.yAxis.type).toBe('log');
    expect(o.xAxis.type).toBe('time');
    expect(o.series[0].data).toEqual([[10000, null], [11000, 1]]);
  });
  it('draws a mean and a min-max band per group', () => {
    const o = lineOption({ metric: 'loss', xKey: '_step', log: false, smoothing: 0, groups: [
      { value: 'adam', runs: 3, color: '#111111', x: [0, 1], mean: [2, 3], min: [1, 2], max: [4, 5] },
    ] }) as { series: { id: string; name?: string; stack?: string; data: [number, number][] }[] };
    expect(o.series.map((s) => s.id)).toEqual(['band:adam:min', 'band:adam:range', 'group:adam']);
    expect(o.series[1].data).toEqual([[0, 3], [1, 3]]);
    expect(o.series[0].stack).toBe(o.series[1].stack);
    expect(o.series[2].name).toBe('adam (3)');
  });
});

describe('parallel and importance options', () => {
  it('makes a categorical axis for strings and colours by the metric', () => {
    const o = parallelOption({ dimensions: ['config.lr', 'config.opt', 'summary.acc'], rows: [
      { runId: 'a', name: 'a', values: [0.1, 'adam', 0.9] },
      { runId: 'b', name: null, values: [0.01, 'sgd', 0.8] },
    ] }) as { parallelAxis: { type: string; data?: string[]; name: string }[]; visualMap: { dimension: number; min: number; max: number } };
    expect(o.parallelAxis.map((a) => a.type)).toEqual(['value', 'category', 'value']);
    expect(o.parallelAxis[1].data).toEqual(['adam', 'sgd']);
    expect(o.parallelAxis[0].name).toBe('lr');
    expect(o.visualMap).toMatchObject({ dimension: 2, min: 0.8, max: 0.9 });
  });
  it('puts the most important parameter on top', () => {
    const o = importanceOption({ metric: 'summary.acc', parameters: [
      { key: 'config.lr', importance: 0.5, correlation: -0.3 },
      { key: 'config.bs', importance: 0.1, correlation: null },
    ] }) as { yAxis: { data: string[] }[]; series: { data: { value: number }[] }[] };
    expect(o.yAxis[0].data).toEqual(['bs', 'lr']);
    expect(o.series[0].data.map((d) => d.value)).toEqual([0.1, 0.5]);
  });
});
