import { describe, expect, it } from 'vitest';
import { groupAggregates, meanOf, rangeOf } from '../../src/lib/groupAggregates';

describe('group header aggregates', () => {
  it('average the numbers a summary column has', () => {
    expect(meanOf([1, 2, 3, null, undefined, 'NaN', 'text'])).toEqual({ mean: 2, n: 3 });
    expect(meanOf([null, 'x'])).toBeNull();
  });
  it('give a config column its range', () => {
    expect(rangeOf([0.1, 0.001, 0.01])).toBe('0.001 – 0.1');
    expect(rangeOf([32, 32])).toBe('32');
    expect(rangeOf(['adam', 'sgd', 'adam'])).toBe('adam, sgd');
    expect(rangeOf(['a', 'b', 'c'])).toBe('3 values');
    expect(rangeOf([null, undefined])).toBe('');
  });
  it('for the columns of the table', () => {
    const runs = [
      { config: { lr: 0.1, opt: { name: 'adam' } }, summary: { loss: 0.5, acc: 0.9 } },
      { config: { lr: 0.00001, opt: { name: 'adam' } }, summary: { loss: 1.5 } },
    ];
    const a = groupAggregates(runs, ['config.lr', 'config.opt.name', 'summary.loss', 'summary.acc', 'summary.none', 'tags']);
    expect(a['summary.loss']).toEqual({ text: 'μ 1', title: 'mean of summary.loss over 2 runs: 1' });
    expect(a['summary.acc'].text).toBe('μ 0.9');
    expect(a['config.lr'].text).toBe('1e-5 – 0.1');
    expect(a['config.opt.name'].text).toBe('adam');
    expect(a['summary.none']).toBeUndefined();
    expect(a.tags).toBeUndefined();
  });
});
