import { describe, expect, it } from 'vitest';
import { lineOption } from '../../src/lib/chartOptions';
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

describe('axes', () => {
  it('names the x axis and keeps step ticks whole', () => {
    const step = lineOption({ metric: 'loss', xKey: '_step', log: false, smoothing: 0, runs: [] }) as { xAxis: { name: string; minInterval?: number } };
    expect(step.xAxis).toMatchObject({ name: 'Step', minInterval: 1 });
    const epoch = lineOption({ metric: 'loss', xKey: 'epoch', log: false, smoothing: 0, runs: [] }) as { xAxis: { name: string; minInterval?: number } };
    expect(epoch.xAxis.name).toBe('epoch');
    expect(epoch.xAxis.minInterval).toBeUndefined();
  });
});
