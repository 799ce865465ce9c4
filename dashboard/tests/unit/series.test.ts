import { describe, expect, it } from 'vitest';
import { aggregate, appendRows, bucketize, points, rowsToSampled, type Row } from '../../src/lib/series';
import { chartValue, flatten, formatNumber, toNumber } from '../../src/lib/values';

const rows: Row[] = Array.from({ length: 10 }, (_, i) => ({ _step: i, _timestamp: 1000 + i, loss: 10 - i, ...(i % 2 ? { acc: i / 10 } : {}), epoch: Math.floor(i / 5) }));

describe('series', () => {
  it('keeps every point when there are fewer than buckets', () => {
    const s = rowsToSampled(rows, ['loss'], '_step', 100);
    expect(s.series.loss.x).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s.series.loss.last).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });
  it('buckets like samples=: x of the last point, min, max and last', () => {
    const b = bucketize([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [5, 1, 7, 2, 'NaN', 3, 9, 0, 4, 6], 2);
    expect(b.x).toEqual([4, 9]);
    expect(b.min).toEqual([1, 0]);
    expect(b.max).toEqual([7, 9]);
    expect(b.last).toEqual(['NaN', 6]);
    expect(b.count).toBe(10);
  });
  it('reads every key and another key as x', () => {
    const s = rowsToSampled(rows, null, '_step', 100);
    expect(Object.keys(s.series).sort()).toEqual(['acc', 'epoch', 'loss']);
    expect(s.series.acc.x).toEqual([1, 3, 5, 7, 9]);
    const byTime = points(rows, 'loss', '_timestamp');
    expect(byTime.x[0]).toBe(1000);
    const byEpoch = points(rows, 'acc', 'epoch');
    expect(byEpoch.x).toEqual([0, 0, 1, 1, 1]);
  });
  it('appends live rows and rewrites an earlier step', () => {
    const s = rowsToSampled(rows.slice(0, 5), ['loss'], '_step', 100).series.loss;
    appendRows(s, [{ _step: 5, loss: 5 }, { _step: 6, loss: 4 }], 'loss', '_step');
    expect(s.x).toEqual([0, 1, 2, 3, 4, 5, 6]);
    appendRows(s, [{ _step: 2, loss: 100 }], 'loss', '_step');
    expect(s.last[2]).toBe(100);
    expect(s.x.length).toBe(7);
  });
  it('aggregates runs into mean, min and max per bucket', () => {
    const g = aggregate('adam', [
      { x: [0, 1, 2, 3], y: [1, 2, 3, 4] },
      { x: [0, 1, 2, 3], y: [3, 4, 5, 'NaN'] },
    ], 4);
    expect(g.runs).toBe(2);
    expect(g.x).toEqual([0, 1, 2, 3]);
    expect(g.mean).toEqual([2, 3, 4, 4]);
    expect(g.min).toEqual([1, 2, 3, 4]);
    expect(g.max).toEqual([3, 4, 5, 4]);
  });
});

describe('values', () => {
  it('reads the NaN and infinity strings', () => {
    expect(toNumber('NaN')).toBeNaN();
    expect(toNumber('Infinity')).toBe(Infinity);
    expect(toNumber('-Infinity')).toBe(-Infinity);
    expect(chartValue('Infinity')).toBeNull();
    expect(chartValue(0.5)).toBe(0.5);
  });
  it('formats numbers densely', () => {
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(1280)).toBe('1,280');
    expect(formatNumber(0.00001234)).toBe('1.23e-5');
    expect(formatNumber('NaN')).toBe('NaN');
  });
  it('flattens nested config', () => {
    expect(flatten({ a: 1, b: { c: 2, d: { e: 'x' } }, l: [1, 2] })).toEqual({ a: 1, 'b.c': 2, 'b.d.e': 'x', l: [1, 2] });
  });
});
