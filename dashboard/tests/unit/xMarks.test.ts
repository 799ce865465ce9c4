import { describe, expect, it } from 'vitest';
import { lineOption } from '../../src/lib/chartOptions';
import { xMarkOptions, type XMark } from '../../src/lib/xMarks';

const marks: XMark[] = [
  { kind: 'span', to: 49, label: 'from parent' },
  { kind: 'line', x: 49, label: 'forked from parent', dashed: false },
  { kind: 'line', x: 70, label: 'rewound to 70', dashed: true },
];

type MarkedSeries = {
  id: string;
  markLine?: { data: { name: string; xAxis: number; lineStyle?: { type: string } }[]; label: { formatter: string } };
  markArea?: { data: [Record<string, unknown>, Record<string, unknown>][] };
};

describe('x marks as ECharts options', () => {
  it('is nothing without marks', () => {
    expect(xMarkOptions(undefined)).toEqual({});
    expect(xMarkOptions([])).toEqual({});
  });
  it('draws lines at their x, named by their label, dashed where asked', () => {
    const o = xMarkOptions(marks) as MarkedSeries;
    expect(o.markLine!.data).toEqual([
      { name: 'forked from parent', xAxis: 49 },
      { name: 'rewound to 70', xAxis: 70, lineStyle: { type: 'dashed' } },
    ]);
    // the label is the name, so that a run name with braces is not read as a template
    expect(o.markLine!.label.formatter).toBe('{b}');
  });
  it('shades a span from the first x of the data to its end', () => {
    const o = xMarkOptions(marks) as MarkedSeries;
    expect(o.markArea!.data).toEqual([[{ name: 'from parent', xAxis: 'min' }, { xAxis: 49 }]]);
  });
  it('has no markArea without spans, and no markLine without lines', () => {
    expect(Object.keys(xMarkOptions(marks.filter((m) => m.kind === 'line')))).toEqual(['markLine']);
    expect(Object.keys(xMarkOptions(marks.filter((m) => m.kind === 'span')))).toEqual(['markArea']);
  });
});

describe('a line chart with x marks', () => {
  const series = { x: [0, 1, 2], min: [3, 2, 1], max: [3, 2, 1], last: [3, 2, 1] };
  it('puts them on the drawn line, not on the faint raw line behind a smoothed one', () => {
    const o = lineOption({ metric: 'loss', xKey: '_step', log: false, smoothing: 0.5, marks, runs: [
      { id: 'a', name: 'a', color: '#111111', series },
      { id: 'b', name: 'b', color: '#222222', series },
    ] }) as { series: MarkedSeries[] };
    expect(o.series.map((s) => s.id)).toEqual(['a:raw', 'a', 'b:raw', 'b']);
    expect(o.series.filter((s) => s.markLine).map((s) => s.id)).toEqual(['a']);
    expect(o.series.filter((s) => s.markArea).map((s) => s.id)).toEqual(['a']);
  });
  it('draws no marks when given none', () => {
    const o = lineOption({ metric: 'loss', xKey: '_step', log: false, smoothing: 0, runs: [{ id: 'a', name: 'a', color: '#111111', series }] }) as { series: MarkedSeries[] };
    expect(o.series[0].markLine).toBeUndefined();
    expect(o.series[0].markArea).toBeUndefined();
  });
});
