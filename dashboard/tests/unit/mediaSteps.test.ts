import { describe, expect, it } from 'vitest';
import { fitImage, gridColumns, mayHaveUnsampled, nearestIndex, stepAtOrBefore, unionSteps } from '../../src/lib/mediaSteps';

describe('media steps', () => {
  it('unites the runs\' steps, once each, ascending', () => {
    expect(unionSteps([[0, 10, 20], [0, 5, 10, 15, 20], [], [30]])).toEqual([0, 5, 10, 15, 20, 30]);
    expect(unionSteps([])).toEqual([]);
    expect(unionSteps([[3, NaN, 1]])).toEqual([1, 3]);
  });

  it('shows a run at the chosen step its latest step at or before it, nothing before its first', () => {
    const steps = [0, 10, 20];
    expect(stepAtOrBefore(steps, 10)).toBe(10);
    expect(stepAtOrBefore(steps, 15)).toBe(10);
    expect(stepAtOrBefore(steps, 99)).toBe(20);
    expect(stepAtOrBefore([5, 6], 4)).toBeNull();
    expect(stepAtOrBefore([], 4)).toBeNull();
    expect(stepAtOrBefore([7], 7)).toBe(7);
  });

  it('keeps the slider near where it was when the steps change', () => {
    expect(nearestIndex([0, 5, 10, 15], 11)).toBe(2);
    expect(nearestIndex([0, 5, 10, 15], 100)).toBe(3);
    expect(nearestIndex([0, 10], 5)).toBe(0);
    expect(nearestIndex([], 5)).toBe(-1);
  });

  it('asks for an exact step only when sampling may have left it out', () => {
    expect(mayHaveUnsampled([0, 50, 99], 100, 7)).toBe(true);
    expect(mayHaveUnsampled([0, 50, 99], 3, 7)).toBe(false); // every step was sampled
    expect(mayHaveUnsampled([0, 50, 99], 100, 50)).toBe(false); // sampled
    expect(mayHaveUnsampled([0, 50, 99], 100, 120)).toBe(false); // after the last
    expect(mayHaveUnsampled([], 100, 7)).toBe(false);
  });

  it('scales a small image up by a whole factor, pixelated; a large one down to fit', () => {
    expect(fitImage(28, 28, 200, 150)).toEqual({ width: 140, height: 140, pixelated: true });
    expect(fitImage(8, 4, 100, 100)).toEqual({ width: 96, height: 48, pixelated: true });
    expect(fitImage(150, 100, 200, 150)).toEqual({ width: 150, height: 100, pixelated: false });
    expect(fitImage(1000, 500, 200, 200)).toEqual({ width: 200, height: 100, pixelated: false });
    expect(fitImage(0, 10, 200, 200)).toEqual({ width: 0, height: 0, pixelated: false });
  });

  it('lays a list of images out in a square-ish grid', () => {
    expect([1, 2, 3, 4, 5, 9, 10, 256].map((n) => gridColumns(n))).toEqual([1, 2, 2, 2, 3, 3, 4, 8]);
  });
});
