// The ECharts option of a histogram panel's heat map (one run): x the steps, y the value bins,
// each cell coloured by its count from faint to the run's colour; empty cells are not drawn. Pure.

import { tickLabel, decimalsFor } from './axisFormat';
import { withAlpha } from './colors';
import type { HeatmapData } from './histogramBins';

/** The label of the y bin between `lo` and `hi`: its middle, rounded to what the grid tells apart. */
export function binLabel(lo: number, hi: number, decimals: number): string {
  return tickLabel((lo + hi) / 2, decimals);
}

export function heatmapOption(data: HeatmapData, color: string): Record<string, unknown> {
  const { edges } = data;
  const span = edges.length > 1 ? edges[edges.length - 1] - edges[0] : 0;
  const decimals = decimalsFor(0, span || 1) + 1;
  const yLabels = edges.slice(0, -1).map((lo, i) => binLabel(lo, edges[i + 1], decimals));
  return {
    animation: false,
    grid: { left: 8, right: 10, top: 8, bottom: 24, containLabel: true },
    tooltip: {
      trigger: 'item',
      formatter: (p: { value: [number, number, number] }) => {
        const [x, y, count] = p.value;
        return `step ${data.steps[x]}<br>${tickLabel(edges[y], decimals)} – ${tickLabel(edges[y + 1], decimals)}: <b>${tickLabel(count, 2)}</b>`;
      },
    },
    xAxis: {
      type: 'category', data: data.steps.map(String), name: 'Step', nameLocation: 'middle', nameGap: 22,
      axisTick: { show: false }, splitLine: { show: false }, axisLine: { lineStyle: { color: '#d1d5db' } },
    },
    yAxis: {
      type: 'category', data: yLabels, axisTick: { show: false }, splitLine: { show: false },
      // About eight labels, whatever the bins: ECharts' own spacing crowds a short axis.
      axisLine: { lineStyle: { color: '#d1d5db' } }, axisLabel: { fontSize: 10, interval: Math.max(0, Math.ceil(yLabels.length / 8) - 1) },
    },
    visualMap: {
      show: false, type: 'continuous', dimension: 2, min: 0, max: data.max > 0 ? data.max : 1,
      inRange: { color: [withAlpha(color, 0.12), color] },
    },
    series: [{ type: 'heatmap', data: data.cells, progressive: 0, emphasis: { itemStyle: { borderColor: '#111827', borderWidth: 1 } } }],
  };
}
