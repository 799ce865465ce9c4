import { describe, expect, it } from 'vitest';
import { parseSetting, resolveTheme, themeAttribute } from '../../src/theme';
import { LIGHT_CHART, paletteFrom, themeChartOption, type ChartPalette } from '../../src/lib/chartTheme';
import { importanceOption, lineOption, parallelOption } from '../../src/lib/chartOptions';

describe('theme setting', () => {
  it('reads a stored setting, system when unknown', () => {
    expect(parseSetting('dark')).toBe('dark');
    expect(parseSetting('light')).toBe('light');
    expect(parseSetting('system')).toBe('system');
    expect(parseSetting(null)).toBe('system');
    expect(parseSetting('purple')).toBe('system');
  });
  it('resolves system with the preference, and a choice without it', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });
  it('writes data-theme only for a choice', () => {
    expect(themeAttribute('dark')).toBe('dark');
    expect(themeAttribute('light')).toBe('light');
    expect(themeAttribute('system')).toBeNull();
  });
});

const DARK: ChartPalette = {
  text: '#a3aab8', faint: '#808897', axis: '#3b4150', split: '#252a34', strong: '#f3f4f6', title: '#c7ccd6', label: '#d1d5db', neutral: '#4b5160',
  tooltipBg: '#171a21', tooltipBorder: '#2a2f3a', tooltipText: '#e5e7eb',
};

type O = Record<string, any>;

describe('chart palette', () => {
  it('reads CSS variables, light values where one is missing', () => {
    const vars: Record<string, string> = { '--chart-text': ' #a3aab8 ', '--panel': '#171a21' };
    const p = paletteFrom((v) => vars[v] ?? '');
    expect(p.text).toBe('#a3aab8');
    expect(p.tooltipBg).toBe('#171a21');
    expect(p.split).toBe(LIGHT_CHART.split);
  });
});

describe('themeChartOption', () => {
  const line = lineOption({
    metric: 'loss', xKey: '_step', log: false, smoothing: 0.5,
    runs: [{ id: 'r1', name: 'r1', color: '#5470c6', series: { x: [0, 1, 2], last: [1, 0.5, 0.25] } as never }],
  });

  it('swaps the neutral greys for the palette, leaving run colours and data alone', () => {
    const t = themeChartOption(line, DARK) as O;
    expect(t.xAxis.axisLabel.color).toBe(DARK.text);
    expect(t.xAxis.nameTextStyle.color).toBe(DARK.faint);
    expect(t.xAxis.axisLine.lineStyle.color).toBe(DARK.axis);
    expect(t.yAxis.axisLabel.color).toBe(DARK.text);
    expect(t.yAxis.splitLine.lineStyle.color).toBe(DARK.split);
    expect(t.tooltip.axisPointer.lineStyle.color).toBe(DARK.faint);
    expect(t.tooltip.backgroundColor).toBe(DARK.tooltipBg);
    expect(t.tooltip.textStyle.color).toBe(DARK.tooltipText);
    expect(t.textStyle.color).toBe(DARK.text);
    expect(t.backgroundColor).toBe('transparent');
    const series = t.series as O[];
    expect(series.map((s) => s.color)).toEqual((line.series as O[]).map((s) => s.color));
    expect(series[0].data).toBe((line.series as O[])[0].data); // shared, not copied
    expect(typeof t.yAxis.axisLabel.formatter).toBe('function');
  });

  it('does not change the option it is given', () => {
    const before = JSON.stringify(line);
    themeChartOption(line, DARK);
    expect(JSON.stringify(line)).toBe(before);
    // and the constants chartOptions shares between options are untouched
    expect((lineOption({ metric: 'x', xKey: '_step', log: false, smoothing: 0, runs: [] }) as O).yAxis.splitLine.lineStyle.color).toBe(LIGHT_CHART.split);
  });

  it('is the same drawing in the light palette', () => {
    const t = themeChartOption(line, LIGHT_CHART) as O;
    expect(t.xAxis.axisLabel.color).toBe(LIGHT_CHART.text);
    expect(t.yAxis.splitLine.lineStyle.color).toBe(LIGHT_CHART.split);
  });

  it('themes the parallel and importance charts, arrays of axes included', () => {
    const par = themeChartOption(parallelOption({
      dimensions: ['config.lr', 'summary.acc'],
      rows: [{ runId: 'a', name: 'a', values: [0.1, 0.9] }, { runId: 'b', name: 'b', values: [0.01, 0.8] }],
    }), DARK) as O;
    expect(par.parallelAxis.map((a: O) => a.axisLabel.color)).toEqual([DARK.text, DARK.text]);
    expect(par.parallelAxis[1].nameTextStyle.color).toBe(DARK.strong); // the metric's axis stands out
    expect(par.parallelAxis[0].nameTextStyle.color).toBe(DARK.title);
    expect(par.visualMap.textStyle.color).toBe(DARK.text);
    expect(par.visualMap.inRange.color[2]).toBe(DARK.neutral);
    const imp = themeChartOption(importanceOption({ metric: 'acc', parameters: [{ key: 'config.lr', importance: 0.5, correlation: -0.3 }] }), DARK) as O;
    expect(imp.title.map((t: O) => t.textStyle.color)).toEqual([DARK.title, DARK.title]);
    expect(imp.yAxis[0].axisLabel.color).toBe(DARK.label);
    expect(imp.xAxis.map((a: O) => a.splitLine.lineStyle.color)).toEqual([DARK.split, DARK.split]);
  });

  it('fills colours the option leaves to ECharts', () => {
    const t = themeChartOption({ xAxis: [{ type: 'value' }], legend: {}, title: { text: 'x' } }, DARK) as O;
    expect(t.xAxis[0].axisLabel.color).toBe(DARK.text);
    expect(t.xAxis[0].splitLine.lineStyle.color).toBe(DARK.split);
    expect(t.legend.textStyle.color).toBe(DARK.text);
    expect(t.title.textStyle.color).toBe(DARK.title);
    expect(themeChartOption({ backgroundColor: '#123456' }, DARK).backgroundColor).toBe('#123456');
  });
});
