// ECharts options for the panels, built from plain data (no DOM, so they are unit-tested).

import { chartValue, formatNumber } from './values';
import { ema } from './smoothing';
import { withAlpha } from './colors';
import { robustRange } from './stats';
import { wantsLog } from './compareDefaults';
import { decimalsFor, durationInterval, durationLabel, niceRange, RUNTIME, tickLabel, xAxisLabel, xReadout } from './axisFormat';
import type { GroupSeries, SampledSeries } from './series';
import { xMarkOptions, type XMark } from './xMarks';

export interface RunLine {
  id: string;
  name: string;
  color: string;
  series: SampledSeries | undefined;
}

export interface GroupLine extends GroupSeries {
  color: string;
}

export interface LineInput {
  metric: string;
  /** _step, _timestamp, _runtime (seconds since each run's start, already subtracted) or a metric key */
  xKey: string;
  log: boolean;
  smoothing: number;
  runs?: RunLine[];
  groups?: GroupLine[];
  /** fit the y axis to every value; by default outliers (a diverging run) are left off the axis */
  outliers?: boolean;
  /** y bounds set by hand; null or absent: automatic */
  yMin?: number | null;
  yMax?: number | null;
  /** the x range zoomed to, in the chart's x units (ms for time); null: all of it */
  xRange?: [number, number] | null;
  legend?: boolean;
  /** lines and spans at places on the x axis (a run's fork and rewinds) */
  marks?: XMark[];
}

const AXIS_LABEL = { color: '#6b7280', fontSize: 10 };
const SPLIT_LINE = { lineStyle: { color: '#eef0f3' } };
const AXIS_NAME = { color: '#9ca3af', fontSize: 10 };

type Point = [number, number | null];

function pts(xs: readonly number[], ys: readonly (number | null)[], isTime: boolean, log: boolean): Point[] {
  const out: Point[] = new Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i];
    out[i] = [isTime ? xs[i] * 1000 : xs[i], y === null || (log && y <= 0) ? null : y];
  }
  return out;
}

export { xAxisLabel };

/** A line panel: one line per run (with the raw line faint behind a smoothed one), or per group a mean with a min-max band. */
export function lineOption(input: LineInput): Record<string, unknown> {
  const isTime = input.xKey === '_timestamp';
  const series: Record<string, unknown>[] = [];
  const smooth = input.smoothing > 0;
  if (input.groups) {
    input.groups.forEach((g, i) => {
      const min = g.min.map((v) => chartValue(v));
      const max = g.max.map((v) => chartValue(v));
      const mean = g.mean.map((v) => chartValue(v));
      const stack = `band-${i}`;
      series.push({
        id: `band:${g.value}:min`, type: 'line', stack, data: pts(g.x, min, isTime, input.log), showSymbol: false,
        lineStyle: { opacity: 0 }, silent: true, tooltip: { show: false }, z: 1,
      });
      series.push({
        id: `band:${g.value}:range`, type: 'line', stack,
        data: pts(g.x, max.map((m, j) => (m === null || min[j] === null ? null : m - (min[j] as number))), isTime, false),
        showSymbol: false, lineStyle: { opacity: 0 }, areaStyle: { color: withAlpha(g.color, 0.16) }, silent: true, tooltip: { show: false }, z: 1,
      });
      series.push({
        id: `group:${g.value}`, name: `${g.value} (${g.runs})`, type: 'line', color: g.color,
        data: pts(g.x, smooth ? ema(mean, input.smoothing) : mean, isTime, input.log),
        showSymbol: false, sampling: 'lttb', lineStyle: { width: 2 }, z: 3,
      });
    });
  } else {
    for (const r of input.runs ?? []) {
      if (!r.series) continue;
      const ys = r.series.last.map((v) => chartValue(v));
      if (smooth) {
        series.push({
          id: `${r.id}:raw`, name: r.name, type: 'line', color: r.color, data: pts(r.series.x, ys, isTime, input.log),
          showSymbol: false, sampling: 'lttb', silent: true, lineStyle: { width: 1, opacity: 0.14 }, tooltip: { show: false }, z: 1,
        });
      }
      series.push({
        id: r.id, name: r.name, type: 'line', color: r.color,
        data: pts(r.series.x, smooth ? ema(ys, input.smoothing) : ys, isTime, input.log),
        showSymbol: r.series.x.length === 1, sampling: 'lttb', lineStyle: { width: 1.6 }, z: 2,
        emphasis: { focus: 'series', lineStyle: { width: 2.4 } },
      });
    }
  }
  // ECharts draws marks as part of a series: the first line carries them.
  const carrier = series.find((s) => !String(s.id).endsWith(':raw') && !String(s.id).startsWith('band:'));
  if (carrier) Object.assign(carrier, xMarkOptions(input.marks));
  const xRange = input.xRange ?? null;
  const drawn = linesPoints(series);
  const xs = xRange ? [xRange[0], xRange[1]] : extent(drawn.map((p) => p[0]));
  // Zoomed in, the y axis follows the points in view (as W&B's does).
  const inView = xRange ? drawn.filter(([x]) => x >= xRange[0] && x <= xRange[1]) : drawn;
  const values = inView.map((p) => p[1] as number);
  let yRange = input.log ? null : input.outliers ? null : robustRange(values);
  // Zoomed, or with bands (a run far off the others makes its group's band wide), the axis fits the
  // lines, not whatever else ECharts would fit it to.
  if (!yRange && (xRange || input.groups?.length) && !input.log && values.length) yRange = padded(extent(values)!);
  if (yRange) yRange = niceRange(yRange);
  const yMin = finiteOr(input.yMin, input.log ? (v) => v > 0 : undefined) ?? yRange?.[0];
  const yMax = finiteOr(input.yMax, input.log ? (v) => v > 0 : undefined) ?? yRange?.[1];
  const ys = extent(values);
  const yDecimals = input.log ? undefined : decimalsFor(yMin ?? ys?.[0] ?? 0, yMax ?? ys?.[1] ?? 1);
  const xDecimals = xs ? decimalsFor(xs[0], xs[1]) : undefined;
  const runtime = input.xKey === RUNTIME;
  const runtimeStep = runtime ? durationInterval(xRange ? xRange[1] - xRange[0] : xs ? xs[1] - Math.min(0, xs[0]) : 60) : 0;
  const runtimeDecimals = runtime ? Math.max(0, Math.ceil(-Math.log10(runtimeStep) - 1e-9)) : 0;
  const legendNames = input.legend ? series.filter((s) => !String(s.id).endsWith(':raw') && !String(s.id).startsWith('band:')).map((s) => String(s.name)) : [];
  return {
    animation: false,
    grid: {
      left: 6, right: 14, top: input.legend ? 34 : 12, bottom: 4,
      // The axis names count in the layout: the grid shrinks to keep them in the panel.
      outerBoundsMode: 'same', outerBoundsContain: 'all',
    },
    legend: {
      show: !!input.legend, type: 'scroll', top: 0, left: 4, right: 4, itemWidth: 14, itemHeight: 8, itemGap: 8,
      textStyle: { ...AXIS_LABEL }, pageTextStyle: { ...AXIS_LABEL }, data: legendNames,
    },
    tooltip: {
      trigger: 'axis',
      confine: true,
      axisPointer: { type: 'line', lineStyle: { color: '#9ca3af' } },
      textStyle: { fontSize: 11 },
      // Beside the pointer and at the top, so the lines near the pointer stay in sight.
      position: besidePointer,
      formatter: lineTooltip(input.xKey),
    },
    xAxis: {
      type: isTime ? 'time' : 'value',
      name: xAxisLabel(input.xKey),
      nameLocation: 'middle',
      nameGap: 6,
      nameMoveOverlap: true,
      nameTextStyle: { ...AXIS_NAME },
      scale: true,
      // Relative time starts with the run.
      min: runtime && (xs?.[0] ?? 0) >= 0 ? 0 : 'dataMin',
      max: 'dataMax',
      // Steps are whole numbers: no tick at 2.5.
      ...(input.xKey === '_step' ? { minInterval: 1 } : {}),
      ...(runtime ? { interval: runtimeStep } : {}),
      axisLabel: {
        ...AXIS_LABEL, hideOverlap: true,
        ...(isTime ? {} : { formatter: runtime ? (v: number) => durationLabel(v, runtimeDecimals) : (v: number) => tickLabel(v, xDecimals) }),
      },
      axisLine: { lineStyle: { color: '#d1d5db' } },
      splitLine: { show: false },
    },
    yAxis: {
      type: input.log ? 'log' : 'value',
      name: input.metric,
      nameLocation: 'middle',
      nameRotate: 90,
      nameGap: 6,
      nameMoveOverlap: true,
      nameTextStyle: { ...AXIS_NAME },
      nameTruncate: { maxWidth: 160 },
      scale: true,
      ...(yMin !== undefined ? { min: yMin } : {}),
      ...(yMax !== undefined ? { max: yMax } : {}),
      axisLabel: { ...AXIS_LABEL, hideOverlap: true, formatter: (v: number) => tickLabel(v, yDecimals) },
      splitLine: SPLIT_LINE,
    },
    dataZoom: [{
      type: 'inside', xAxisIndex: 0, filterMode: 'none', zoomOnMouseWheel: 'shift', moveOnMouseMove: 'shift',
      ...(xRange ? { startValue: xRange[0], endValue: xRange[1] } : {}),
    }],
    series,
  };
}

function finiteOr(v: number | null | undefined, ok?: (v: number) => boolean): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && (!ok || ok(v)) ? v : undefined;
}

function extent(values: readonly number[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

function padded([lo, hi]: [number, number]): [number, number] {
  const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
  return [lo - pad, hi + pad];
}

/**
 * The tooltip's place: at the top, on the side of the pointer with more room (right of it in the
 * left half), so the lines at and near the pointer stay in sight.
 */
export function besidePointer(point: [number, number], _params: unknown, _dom: unknown, _rect: unknown, size: { contentSize: [number, number]; viewSize: [number, number] }): [number, number] {
  const [w] = size.contentSize;
  const [viewW] = size.viewSize;
  const gap = 16;
  const x = point[0] < viewW / 2 ? Math.min(point[0] + gap, viewW - w) : point[0] - gap - w;
  return [Math.max(0, x), 4];
}

/** The points of the lines drawn (not the faint raw lines behind smoothed ones, nor the bands' helpers), without gaps. */
function linesPoints(series: Record<string, unknown>[]): [number, number][] {
  const out: [number, number][] = [];
  for (const s of series) {
    const id = String(s.id);
    if (id.endsWith(':raw') || id.startsWith('band:')) continue;
    for (const p of s.data as Point[]) if (p[1] !== null) out.push(p as [number, number]);
  }
  return out;
}

interface TooltipParam {
  seriesId?: string;
  seriesName?: string;
  color?: string;
  value?: unknown;
  axisValue?: number;
}

function lineTooltip(xKey: string) {
  return (params: TooltipParam | TooltipParam[]) => {
    const list = (Array.isArray(params) ? params : [params])
      .filter((p) => p.seriesId && !p.seriesId.endsWith(':raw') && !p.seriesId.startsWith('band:'))
      .map((p) => ({ p, y: Array.isArray(p.value) ? (p.value[1] as number | null) : null }))
      .filter((e) => e.y !== null && e.y !== undefined)
      .sort((a, b) => (b.y as number) - (a.y as number));
    if (!list.length) return '';
    const x = Array.isArray(list[0].p.value) ? (list[0].p.value[0] as number) : list[0].p.axisValue ?? 0;
    const head = xReadout(xKey, x);
    const rows = list.slice(0, 12).map(({ p, y }) =>
      `<div class="tt-row"><span class="tt-dot" style="background:${p.color}"></span><span class="tt-name">${escapeHtml(p.seriesName ?? '')}</span><b>${formatNumber(y)}</b></div>`);
    const more = list.length > 12 ? `<div class="tt-more">+${list.length - 12} more</div>` : '';
    return `<div class="tt"><div class="tt-head">${escapeHtml(head)}</div>${rows.join('')}${more}</div>`;
  };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface ParallelInput {
  dimensions: string[];
  rows: { runId: string; name: string | null; values: (number | string | null)[] }[];
  colors?: Record<string, string>;
}

function shortLabel(dim: string): string {
  return dim.replace(/^config\./, '').replace(/^summary\./, '');
}

/**
 * A label broken into lines of at most `width` characters, at `.`, `/`, `_` or `-` where it can be
 * (after the separator), anywhere in a longer word: axis names are config paths, and a cut-off
 * `optimizer.be…` tells two optimizer settings apart no better than none.
 */
export function wrapLabel(label: string, width: number): string {
  const parts = label.match(/[^./_\-]+[./_\-]*|[./_\-]+/g) ?? [label];
  const lines: string[] = [];
  let line = '';
  for (let part of parts) {
    if (line && line.length + part.length > width) {
      lines.push(line);
      line = '';
    }
    while (part.length > width) {
      lines.push(part.slice(0, width));
      part = part.slice(width);
    }
    line += part;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

/** The width the parallel axes share, in characters of an 11px name. */
const PARALLEL_NAME_CHARS = 84;

/**
 * Parallel coordinates: a numeric axis per numeric dimension (logarithmic where it spans decades), a
 * categorical one where values are strings; lines coloured by the last dimension (the metric).
 * Each axis has its field as id, which ECharts' `axisareaselected` event reports on a brush.
 */
export function parallelOption(input: ParallelInput): Record<string, unknown> {
  const dims = input.dimensions;
  const metricIndex = dims.length - 1;
  const nameWidth = Math.max(8, Math.floor(PARALLEL_NAME_CHARS / Math.max(dims.length, 1)));
  let nameLines = 1;
  const axes = dims.map((d, i) => {
    const values = input.rows.map((r) => r.values[i]).filter((v) => v !== null && v !== undefined);
    const categorical = values.some((v) => typeof v === 'string' && !['NaN', 'Infinity', '-Infinity'].includes(v));
    const name = wrapLabel(shortLabel(d), nameWidth);
    nameLines = Math.max(nameLines, name.split('\n').length);
    const axis: Record<string, unknown> = {
      id: d, dim: i, name, nameLocation: 'end', nameGap: 10, realtime: false,
      nameTextStyle: {
        color: i === metricIndex ? '#111827' : '#4b5563', fontSize: 11, lineHeight: 13, fontWeight: i === metricIndex ? 600 : 400,
      },
      // the whole field on hover, prefix included: the name may be wrapped
      tooltip: { show: true, formatter: escapeHtml(d) },
      axisLabel: { ...AXIS_LABEL },
      axisLine: { lineStyle: { color: '#9ca3af' } },
    };
    if (categorical) {
      axis.type = 'category';
      axis.data = [...new Set(values.map((v) => String(v)))].sort();
    } else {
      axis.type = wantsLog(values.map((v) => chartValue(v))) ? 'log' : 'value';
      if (axis.type === 'value') axis.scale = true;
      axis.axisLabel = { ...AXIS_LABEL, formatter: (v: number) => formatNumber(v, 3) };
    }
    return axis;
  });
  const metricValues = input.rows.map((r) => chartValue(r.values[metricIndex])).filter((v): v is number => v !== null);
  const lo = metricValues.length ? Math.min(...metricValues) : 0;
  const hi = metricValues.length ? Math.max(...metricValues) : 1;
  return {
    animation: false,
    parallel: { left: 44, right: 78, top: 22 + 13 * nameLines, bottom: 16, parallelAxisDefault: { type: 'value' } },
    parallelAxis: axes,
    visualMap: metricValues.length ? {
      type: 'continuous', dimension: metricIndex, min: lo, max: hi === lo ? lo + 1 : hi, show: true, right: 4, top: 'middle',
      itemHeight: 120, itemWidth: 10, calculable: false, precision: 3, textStyle: { fontSize: 10, color: '#6b7280' },
      inRange: { color: ['#3b4cc0', '#8db0fe', '#dddddd', '#f49a7b', '#b40426'] },
    } : undefined,
    tooltip: { trigger: 'item', confine: true, formatter: (p: { name?: string }) => escapeHtml(p.name ?? '') },
    series: [{
      type: 'parallel',
      lineStyle: { width: 1.2, opacity: 0.55 },
      emphasis: { lineStyle: { width: 2.5, opacity: 1 } },
      inactiveOpacity: 0.05,
      activeOpacity: 1,
      progressive: 500,
      smooth: false,
      data: input.rows.map((r) => ({
        name: r.name ?? r.runId,
        value: r.values.map((v, i) => (axes[i].type === 'category' ? (v === null ? null : String(v)) : chartValue(v))),
      })),
    }],
  };
}

export interface ImportanceInput {
  metric: string;
  parameters: { key: string; importance: number | null; correlation: number | null }[];
}

const POSITIVE = '#2fa37a';
const NEGATIVE = '#d9577b';

/** `+0.31` or `−0.31`: the sign is the point of a correlation. */
function signed(v: number): string {
  return `${v < 0 ? '\u2212' : '+'}${Math.abs(v).toFixed(2)}`;
}

/** An importance bar's label: the importance, then the correlation in the colour of its sign (rich text). */
export function importanceLabel(p: { importance: number | null; correlation: number | null }): string {
  const importance = p.importance === null ? 'n/a' : formatNumber(p.importance, 2);
  if (p.correlation === null) return `{imp|${importance}}`;
  return `{imp|${importance}}  {${p.correlation < 0 ? 'neg' : 'pos'}|r ${signed(p.correlation)}}`;
}

/**
 * Parameter importance: two bar charts side by side, importance (0-1) and correlation (-1 to 1),
 * each importance bar labelled with both numbers.
 */
export function importanceOption(input: ImportanceInput): Record<string, unknown> {
  const params = [...input.parameters].reverse(); // most important at the top
  const labels = params.map((p) => shortLabel(p.key));
  const tooltip = (i: number) => {
    const p = params[i];
    if (!p) return '';
    const num = (v: number | null) => (v === null ? 'n/a' : formatNumber(v, 3));
    return `<b>${escapeHtml(p.key)}</b><br>importance: ${num(p.importance)}<br>correlation: ${num(p.correlation)}`;
  };
  return {
    animation: false,
    tooltip: {
      trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true,
      formatter: (ps: { dataIndex: number }[]) => tooltip(ps[0]?.dataIndex ?? -1),
    },
    title: [
      { text: 'Importance', left: '2%', top: 0, textStyle: { fontSize: 11, fontWeight: 500, color: '#4b5563' } },
      { text: 'Correlation', left: '60%', top: 0, textStyle: { fontSize: 11, fontWeight: 500, color: '#4b5563' } },
    ],
    grid: [
      { left: 4, width: '52%', top: 22, bottom: 4, containLabel: true },
      { left: '60%', right: 10, top: 22, bottom: 4, containLabel: false },
    ],
    xAxis: [
      // room right of the longest bar for its label
      { gridIndex: 0, type: 'value', min: 0, max: (v: { max: number }) => Math.max(v.max, 0.05) * 1.9, axisLabel: { show: false }, splitLine: SPLIT_LINE },
      { gridIndex: 1, type: 'value', min: -1, max: 1, axisLabel: { show: false }, splitLine: SPLIT_LINE },
    ],
    yAxis: [
      { gridIndex: 0, type: 'category', data: labels, axisLabel: { ...AXIS_LABEL, color: '#374151', width: 110, overflow: 'truncate' }, axisTick: { show: false } },
      { gridIndex: 1, type: 'category', data: labels, axisLabel: { show: false }, axisTick: { show: false }, axisLine: { onZero: false } },
    ],
    series: [
      {
        name: 'importance', type: 'bar', xAxisIndex: 0, yAxisIndex: 0, barMaxWidth: 14, itemStyle: { color: '#5470c6' },
        // a bar without an importance (correlation only) still carries its label
        data: params.map((p) => ({ value: p.importance ?? 0, label: { formatter: importanceLabel(p) } })),
        label: {
          show: true, position: 'right', fontSize: 10,
          rich: { imp: { color: '#6b7280', fontSize: 10 }, pos: { color: POSITIVE, fontSize: 10, fontWeight: 600 }, neg: { color: NEGATIVE, fontSize: 10, fontWeight: 600 } },
        },
      },
      {
        name: 'correlation', type: 'bar', xAxisIndex: 1, yAxisIndex: 1, barMaxWidth: 14,
        data: params.map((p) => ({ value: p.correlation, itemStyle: { color: (p.correlation ?? 0) >= 0 ? POSITIVE : NEGATIVE } })),
      },
    ],
  };
}
