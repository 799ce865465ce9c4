import { describe, expect, it } from 'vitest';
import { ema } from '../../src/lib/smoothing';

describe('ema', () => {
  it('is the identity at weight 0', () => {
    expect(ema([1, 2, 3], 0)).toEqual([1, 2, 3]);
  });
  it('is debiased: the first point is the first value, a constant stays constant', () => {
    const out = ema([5, 5, 5, 5], 0.9);
    for (const v of out) expect(v).toBeCloseTo(5, 10);
  });
  it('follows the classic recurrence', () => {
    const w = 0.6;
    const out = ema([0, 10], w);
    expect(out[0]).toBe(0);
    // last = 0.4*10 (after 0*...), debias = 1 - 0.6^2
    expect(out[1]).toBeCloseTo((0.4 * 10) / (1 - w * w), 10);
  });
  it('smooths noise towards the mean', () => {
    const noisy = Array.from({ length: 400 }, (_, i) => (i % 2 ? 1 : -1));
    const out = ema(noisy, 0.95) as number[];
    expect(Math.abs(out[out.length - 1])).toBeLessThan(0.1);
  });
  it('keeps gaps as gaps without moving the average', () => {
    const out = ema([1, null, NaN, 3], 0.5);
    expect(out[1]).toBeNull();
    expect(out[2]).toBeNull();
    expect(out[3]).toBeCloseTo((0.5 * 0.5 * 1 + 0.5 * 3) / (1 - 0.25), 10);
  });
});
