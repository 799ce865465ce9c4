import { describe, expect, it } from 'vitest';
import { brushFilter, decodeBrush, encodeBrush, withAxisBrush } from '../../src/lib/brush';
import { matchesFilter } from '../../src/lib/filters';
import { bandOf } from '../../src/lib/groupBands';
import { diffRuns } from '../../src/lib/runDiff';
import { scatterOption } from '../../src/lib/scatterOption';

const run = (runId: string, config: Record<string, unknown>, summary: Record<string, unknown> = {}) => ({
  runId, name: runId, notes: null, tags: [], group: null, jobType: null, state: 'finished', config, summary, createdAt: '2026-01-01T00:00:00Z',
});

describe('brush', () => {
  it('turns axis intervals into filter conditions the runs match', () => {
    let b = withAxisBrush({}, 'config.lr', [[0.001, 0.01]]);
    b = withAxisBrush(b, 'config.optimizer', [[1, 1]], ['adam', 'sgd', 'rmsprop']);
    const f = brushFilter(b)!;
    expect(f).toEqual({ $and: [{ 'config.lr': { $gte: 0.001, $lte: 0.01 } }, { 'config.optimizer': { $in: ['sgd'] } }] });
    expect(matchesFilter(run('a', { lr: 0.005, optimizer: 'sgd' }), f)).toBe(true);
    expect(matchesFilter(run('b', { lr: 0.05, optimizer: 'sgd' }), f)).toBe(false);
    expect(matchesFilter(run('c', { lr: 0.005, optimizer: 'adam' }), f)).toBe(false);
    expect(brushFilter(withAxisBrush(b, 'config.lr', []))).toEqual({ 'config.optimizer': { $in: ['sgd'] } });
    expect(brushFilter({})).toBeNull();
  });
  it('survives the URL', () => {
    const b = { 'config.lr': { ranges: [[0.001, 0.01], [0.1, 0.2]] as [number, number][] }, 'config.opt': { values: ['a,b', 'c'] } };
    expect(decodeBrush(encodeBrush(b))).toEqual(b);
    expect(decodeBrush('')).toEqual({});
    expect(decodeBrush('x=1~nope')).toEqual({});
  });
});

describe('bands', () => {
  const g = { value: 'adam', runs: 4, x: [0, 1], mean: [2, null], min: [1, null], max: [3, null], std: [2, null], count: [4, 0] };
  it('gives min-max, mean ± std and mean ± std error', () => {
    expect(bandOf(g, 'minmax')).toEqual({ lower: [1, null], upper: [3, null] });
    expect(bandOf(g, 'std')).toEqual({ lower: [0, null], upper: [4, null] });
    expect(bandOf(g, 'stderr')).toEqual({ lower: [1, null], upper: [3, null] });
    expect(bandOf(g, 'none')).toBeNull();
  });
});

describe('run comparer', () => {
  it('lists every key of the runs side by side and marks the ones that differ', () => {
    const rows = diffRuns([
      { runId: 'a', config: { lr: 0.1, opt: { name: 'adam' }, data: 'cats' }, summary: { acc: 0.9, 'system/cpu': 3 } },
      { runId: 'b', config: { lr: 0.01, opt: { name: 'adam' }, data: 'cats' }, summary: { acc: 0.9, loss: 0.2 } },
    ]);
    expect(rows.map((r) => [r.field, r.differs])).toEqual([
      ['config.data', false], ['config.lr', true], ['config.opt.name', false], ['summary.acc', false], ['summary.loss', true],
    ]);
    expect(rows[1].values).toEqual([0.1, 0.01]);
    expect(diffRuns([{ runId: 'a', config: { x: 1, y: 1 } }, { runId: 'b', config: { x: 1, y: 2 } }], { onlyDifferences: true }).map((r) => r.field)).toEqual(['config.y']);
  });
});

describe('scatter', () => {
  it('draws one point per run with both values, on log axes where the values span decades', () => {
    const o = scatterOption({
      xField: 'config.lr', yField: 'summary.acc',
      points: [
        { runId: 'a', name: 'a', x: 0.1, y: 0.9, color: 'red' },
        { runId: 'b', name: 'b', x: 0.0001, y: 0.8, color: 'blue' },
        { runId: 'c', name: 'c', x: null, y: 0.7, color: 'green' },
      ],
    }) as { xAxis: { type: string; name: string }; yAxis: { type: string }; series: { data: { runId: string; value: number[] }[] }[] };
    expect(o.xAxis.type).toBe('log');
    expect(o.yAxis.type).toBe('value');
    expect(o.xAxis.name).toBe('config.lr');
    expect(o.series[0].data.map((d) => d.runId)).toEqual(['a', 'b']);
    expect(o.series[0].data[1].value).toEqual([0.0001, 0.8]);
  });
});
