import { describe, expect, it } from 'vitest';
import { formatCell, formatRuntime, runtimeSeconds } from '../../src/lib/cellFormat';

describe('table cell numbers', () => {
  it('keeps four significant digits', () => {
    expect(formatCell(0.123456)).toBe('0.1235');
    expect(formatCell(3.14159)).toBe('3.142');
    expect(formatCell(1234.5678)).toBe('1235');
    expect(formatCell(0.5)).toBe('0.5');
    expect(formatCell(42)).toBe('42');
    expect(formatCell(-0.0123456)).toBe('-0.01235');
    expect(formatCell(0)).toBe('0');
  });
  it('writes the very small and the very large with an exponent', () => {
    expect(formatCell(0.000123456)).toBe('1.235e-4');
    expect(formatCell(1e-5)).toBe('1e-5');
    expect(formatCell(0.001)).toBe('0.001');
    expect(formatCell(99999)).toBe('99999');
    expect(formatCell(99999.9)).toBe('1e5');
    expect(formatCell(12345.67)).toBe('12350');
    expect(formatCell(123456)).toBe('1.235e5');
    expect(formatCell(7e6)).toBe('7e6');
    expect(formatCell(-2.5e-7)).toBe('-2.5e-7');
  });
  it('shows non-finite values and non-numbers plainly', () => {
    expect(formatCell('NaN')).toBe('NaN');
    expect(formatCell('Infinity')).toBe('∞');
    expect(formatCell(-Infinity)).toBe('-∞');
    expect(formatCell('adam')).toBe('adam');
    expect(formatCell(true)).toBe('true');
    expect(formatCell(null)).toBe('');
    expect(formatCell(undefined)).toBe('');
    expect(formatCell([1, 2])).toBe('[1,2]');
  });
});

describe('run time', () => {
  const created = '2026-01-01T00:00:00Z';
  it('is the time to the finish for an ended run', () => {
    expect(runtimeSeconds({ state: 'finished', createdAt: created, finishedAt: '2026-01-01T01:02:03Z' })).toBe(3723);
    expect(runtimeSeconds({ state: 'crashed', createdAt: created, updatedAt: '2026-01-01T00:00:45Z' })).toBe(45);
  });
  it('runs on to now while the run runs', () => {
    expect(runtimeSeconds({ state: 'running', createdAt: created, finishedAt: null }, Date.parse(created) + 90_000)).toBe(90);
  });
  it('prefers a start time when there is one', () => {
    expect(runtimeSeconds({ state: 'finished', createdAt: created, startedAt: '2026-01-01T00:00:10Z', finishedAt: '2026-01-01T00:00:40Z' })).toBe(30);
  });
  it('is unknown without times', () => {
    expect(runtimeSeconds({ state: 'finished', createdAt: created })).toBeNull();
    expect(runtimeSeconds({ state: 'running', createdAt: 'nonsense' })).toBeNull();
  });
  it('reads like 45s, 3m 05s, 1h 02m, 2d 04h', () => {
    expect(formatRuntime(45.7)).toBe('45s');
    expect(formatRuntime(185)).toBe('3m 05s');
    expect(formatRuntime(3723)).toBe('1h 02m');
    expect(formatRuntime(2 * 86400 + 4 * 3600 + 60)).toBe('2d 04h');
    expect(formatRuntime(0)).toBe('0s');
    expect(formatRuntime(null)).toBe('');
    expect(formatRuntime(-1)).toBe('');
  });
});
