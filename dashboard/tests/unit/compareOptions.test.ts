import { describe, expect, it } from 'vitest';
import { importanceLabel, importanceOption, parallelOption, wrapLabel } from '../../src/lib/chartOptions';

type Axis = { id: string; type: string; name: string; scale?: boolean; realtime: boolean; tooltip: { formatter: string } };

describe('parallel coordinates for a sweep', () => {
  const rows = [
    { runId: 'a', name: 'a', values: [1e-5, 0.9, 'adam', 0.5] },
    { runId: 'b', name: 'b', values: [1e-3, 0.95, 'sgd', 0.7] },
    { runId: 'c', name: 'c', values: [1e-1, 0.99, 'adam', 0.6] },
  ];
  const o = parallelOption({ dimensions: ['config.lr', 'config.optimizer.beta1', 'config.optimizer.name', 'summary.val/acc'], rows }) as
    { parallelAxis: Axis[]; parallel: { top: number } };

  it('puts a key spanning over two decades on a log axis, the others on linear ones', () => {
    expect(o.parallelAxis.map((a) => a.type)).toEqual(['log', 'value', 'category', 'value']);
    expect(o.parallelAxis[0].scale).toBeUndefined();
  });
  it('keeps every axis name whole (wrapped, not cut) and names the field in its tooltip', () => {
    expect(o.parallelAxis.map((a) => a.name.replace(/\n/g, ''))).toEqual(['lr', 'optimizer.beta1', 'optimizer.name', 'val/acc']);
    expect(o.parallelAxis.map((a) => a.tooltip.formatter)).toEqual(['config.lr', 'config.optimizer.beta1', 'config.optimizer.name', 'summary.val/acc']);
    expect(o.parallel.top).toBeGreaterThanOrEqual(22 + 13 * Math.max(...o.parallelAxis.map((a) => a.name.split('\n').length)));
  });
  it('gives each axis its field as id and brushes only at the end of a drag', () => {
    expect(o.parallelAxis.map((a) => a.id)).toEqual(['config.lr', 'config.optimizer.beta1', 'config.optimizer.name', 'summary.val/acc']);
    expect(o.parallelAxis.every((a) => a.realtime === false)).toBe(true);
  });
  it('does not use a log axis for values that reach zero', () => {
    const z = parallelOption({ dimensions: ['config.x', 'summary.m'], rows: [
      { runId: 'a', name: 'a', values: [0, 1] }, { runId: 'b', name: 'b', values: [1000, 2] },
    ] }) as { parallelAxis: Axis[] };
    expect(z.parallelAxis[0].type).toBe('value');
  });
});

describe('wrapLabel', () => {
  it('breaks after separators, and inside words only when they are too long', () => {
    expect(wrapLabel('lr', 8)).toBe('lr');
    expect(wrapLabel('optimizer.beta1', 10)).toBe('optimizer.\nbeta1');
    expect(wrapLabel('model/encoder_layers', 8)).toBe('model/\nencoder_\nlayers');
    expect(wrapLabel('averyveryverylongword', 8)).toBe('averyver\nyverylon\ngword');
    for (const label of ['a.b.c.d.e', 'weight_decay', 'x'.repeat(30)]) expect(wrapLabel(label, 6).replace(/\n/g, '')).toBe(label);
  });
});

describe('importance labels', () => {
  it('carry the importance and the correlation, coloured by its sign', () => {
    expect(importanceLabel({ importance: 0.4211, correlation: -0.3137 })).toBe('{imp|0.42}  {neg|r \u22120.31}');
    expect(importanceLabel({ importance: 0.1, correlation: 0.5 })).toBe('{imp|0.1}  {pos|r +0.50}');
    expect(importanceLabel({ importance: null, correlation: 0.5 })).toBe('{imp|n/a}  {pos|r +0.50}');
    expect(importanceLabel({ importance: 0.2, correlation: null })).toBe('{imp|0.2}');
  });
  it('labels every bar, and colours correlation bars by sign', () => {
    const o = importanceOption({ metric: 'summary.acc', parameters: [
      { key: 'config.lr', importance: 0.5, correlation: -0.3 },
      { key: 'config.bs', importance: null, correlation: 0.2 },
    ] }) as { series: { data: { value: number | null; label?: { formatter: string }; itemStyle?: { color: string } }[]; label?: { rich: Record<string, { color: string }> } }[] };
    expect(o.series[0].data.map((d) => d.label?.formatter)).toEqual(['{imp|n/a}  {pos|r +0.20}', '{imp|0.5}  {neg|r \u22120.30}']);
    expect(o.series[0].label?.rich.pos.color).not.toBe(o.series[0].label?.rich.neg.color);
    expect(o.series[1].data.map((d) => d.itemStyle?.color)).toEqual([o.series[0].label?.rich.pos.color, o.series[0].label?.rich.neg.color]);
  });
});
