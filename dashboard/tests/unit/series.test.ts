import { describe, expect, it } from 'vitest';
import { appendRows, points, rowKeys, type Row } from '../../src/lib/series';
import { chartValue, flatten, formatNumber, toNumber } from '../../src/lib/values';

const rows: Row[] = Array.from({ length: 10 }, (_, i) => ({ _step: i, _timestamp: 1000 + i, loss: 10 - i, ...(i % 2 ? { acc: i / 10 } : {}), epoch: Math.floor(i / 5) }));

describe('series', () => {
  it('reads every key and another key as x', () => {
    expect(rowKeys(rows)).toEqual(['acc', 'epoch', 'loss']);
    expect(points(rows, 'acc', '_step').x).toEqual([1, 3, 5, 7, 9]);
    const byTime = points(rows, 'loss', '_timestamp');
    expect(byTime.x[0]).toBe(1000);
    const byEpoch = points(rows, 'acc', 'epoch');
    expect(byEpoch.x).toEqual([0, 0, 1, 1, 1]);
  });
  it('appends live rows and rewrites an earlier step', () => {
    const first = points(rows.slice(0, 5), 'loss', '_step');
    const s = { x: first.x, min: [...first.v], max: [...first.v], last: [...first.v], count: first.x.length };
    appendRows(s, [{ _step: 5, loss: 5 }, { _step: 6, loss: 4 }], 'loss', '_step');
    expect(s.x).toEqual([0, 1, 2, 3, 4, 5, 6]);
    appendRows(s, [{ _step: 2, loss: 100 }], 'loss', '_step');
    expect(s.last[2]).toBe(100);
    expect(s.x.length).toBe(7);
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
