import { describe, expect, it } from 'vitest';
import {
  decimalsFor, niceRange, niceStep, durationInterval, durationLabel, relativeTo, runStartSeconds, tickLabel, xAxisLabel, xReadout,
} from '../../src/lib/axisFormat';

describe('tick labels', () => {
  it('tells ticks apart on a narrow range', () => {
    const d = decimalsFor(0.9991, 0.9995);
    const labels = [0.9991, 0.9992, 0.9993, 0.9994, 0.9995].map((v) => tickLabel(v, d));
    expect(labels).toEqual(['0.9991', '0.9992', '0.9993', '0.9994', '0.9995']);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('rounds the range ends ECharts labels too, without float noise', () => {
    expect(tickLabel(0.0312345678, decimalsFor(0.03, 0.08))).toBe('0.031');
    expect(tickLabel(0.1 + 0.2)).toBe('0.3');
    expect(tickLabel(0)).toBe('0');
  });

  it('writes big whole numbers with separators and far ones as exponents', () => {
    expect(tickLabel(12000)).toBe('12,000');
    expect(tickLabel(250)).toBe('250');
    expect(tickLabel(2.5e7)).toBe('2.5e7');
    expect(tickLabel(0.000015)).toBe('1.5e-5');
    expect(tickLabel(NaN)).toBe('');
  });

  it('asks for no decimals over wide ranges', () => {
    expect(decimalsFor(0, 1000)).toBe(0);
    expect(decimalsFor(0, 1)).toBe(1);
    expect(decimalsFor(5, 5)).toBe(6);
  });
});

describe('automatic ranges', () => {
  it('widens to whole ticks', () => {
    expect(niceStep(0.013)).toBe(0.02);
    expect(niceStep(230)).toBe(250);
    expect(niceRange([0.0231, 0.104])).toEqual([0.02, 0.12]);
    expect(niceRange([-3.2, 97])).toEqual([-25, 100]);
  });
});

describe('relative time', () => {
  it('labels durations', () => {
    expect(durationLabel(0)).toBe('0s');
    expect(durationLabel(45)).toBe('45s');
    expect(durationLabel(1.25, 2)).toBe('1.25s');
    expect(durationLabel(180)).toBe('3m');
    expect(durationLabel(200)).toBe('3m 20s');
    expect(durationLabel(7500)).toBe('2h 5m');
    expect(durationLabel(97200)).toBe('1d 3h');
  });

  it('picks whole seconds, minutes and hours for ticks', () => {
    expect(durationInterval(3)).toBe(1);
    expect(durationInterval(200)).toBe(60);
    expect(durationInterval(1000)).toBe(300);
    expect(durationInterval(5 * 3600)).toBe(3600);
    expect(durationInterval(0.3)).toBe(0.1);
  });

  it('shifts a run\'s series to its start', () => {
    const s = { x: [100.5, 101, 110], min: [1, 2, 3], max: [1, 2, 3], last: [1, 2, 3] };
    expect(relativeTo(s, 100).x).toEqual([0.5, 1, 10]);
    expect(relativeTo(s, 100).last).toBe(s.last);
    // steps logged before the start was sent: the first step is the start
    expect(relativeTo(s, 101).x).toEqual([0, 0.5, 9.5]);
    expect(runStartSeconds('2025-01-01T00:00:10.500Z')).toBe(Date.UTC(2025, 0, 1, 0, 0, 10, 500) / 1000);
    expect(runStartSeconds('not a date')).toBeNull();
    expect(runStartSeconds(undefined)).toBeNull();
  });
});

describe('x readouts', () => {
  it('names the x axis', () => {
    expect(xAxisLabel('_runtime')).toBe('Relative time');
    expect(xReadout('_step', 1200)).toBe('Step 1,200');
    expect(xReadout('_runtime', 200)).toBe('Relative time 3m 20s');
    expect(xReadout('_runtime', 2.5)).toBe('Relative time 2.5s');
    expect(xReadout('epoch', 3)).toBe('epoch 3');
    expect(xReadout('_timestamp', 0)).toMatch(/^Time /);
  });
});
