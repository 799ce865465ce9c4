// The scatter panel: any two fields (config or summary) across the runs, one point per run in its
// colour; log axes where the values span over two decades.

import { wantsLog } from './compareDefaults';
import { formatNumber } from './values';

export interface ScatterPoint {
  runId: string;
  name: string;
  x: number | null;
  y: number | null;
  color: string;
}

export interface ScatterInput {
  xField: string;
  yField: string;
  points: readonly ScatterPoint[];
}

const GREY = { color: '#6b7280', fontSize: 10 };

function axis(name: string, values: (number | null)[]): Record<string, unknown> {
  return {
    type: wantsLog(values) ? 'log' : 'value', name, nameLocation: 'middle', nameGap: 28, scale: true,
    nameTextStyle: { color: '#4b5563', fontSize: 11 },
    axisLabel: { ...GREY, hideOverlap: true, formatter: (v: number) => formatNumber(v, 3) },
    axisLine: { lineStyle: { color: '#d1d5db' } },
    splitLine: { lineStyle: { color: '#eef0f3' } },
  };
}

export function scatterOption(input: ScatterInput): Record<string, unknown> {
  const drawn = input.points.filter((p) => p.x !== null && p.y !== null && Number.isFinite(p.x) && Number.isFinite(p.y));
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 12, bottom: 40 },
    xAxis: axis(input.xField, drawn.map((p) => p.x)),
    yAxis: { ...axis(input.yField, drawn.map((p) => p.y)), nameGap: 44 },
    tooltip: {
      trigger: 'item', confine: true,
      formatter: (p: { data: { name: string; value: [number, number] } }) =>
        `${escape(p.data.name)}<br>${escape(input.xField)}: ${formatNumber(p.data.value[0])}<br>${escape(input.yField)}: ${formatNumber(p.data.value[1])}`,
    },
    series: [{
      type: 'scatter', symbolSize: 8,
      data: drawn.map((p) => ({ name: p.name, runId: p.runId, value: [p.x, p.y], itemStyle: { color: p.color, opacity: 0.85 } })),
    }],
  };
}

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
