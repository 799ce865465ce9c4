// Marks at places on a line chart's x axis: a labelled vertical line, or a faint span from the
// start of the axis to an x. Plain data (lineageMarks.ts decides them), turned here into the
// markLine and markArea of the series that carries them. No DOM, so they are unit-tested.

export type XMark =
  /** a vertical line at `x`; dashed for a weaker mark */
  | { kind: 'line'; x: number; label: string; dashed: boolean }
  /** the x axis from its start up to and including `to`, shaded faintly */
  | { kind: 'span'; to: number; label: string };

// The greys of chartOptions.ts, so that themeChartOption gives them the dark theme's colour. They
// are set on markLine and markArea themselves: themeChartOption leaves anything under `data` alone.
const MARK_COLOR = '#9ca3af';
const LABEL_COLOR = '#6b7280';
const SPAN_COLOR = 'rgba(156, 163, 175, 0.14)';

/** The markLine and markArea drawing `marks`, to merge into one series of the chart; {} for none. */
export function xMarkOptions(marks: readonly XMark[] | undefined): Record<string, unknown> {
  const lines = (marks ?? []).filter((m): m is Extract<XMark, { kind: 'line' }> => m.kind === 'line');
  const spans = (marks ?? []).filter((m): m is Extract<XMark, { kind: 'span' }> => m.kind === 'span');
  const out: Record<string, unknown> = {};
  if (lines.length) {
    out.markLine = {
      silent: true, animation: false, symbol: ['none', 'none'],
      lineStyle: { color: MARK_COLOR, width: 1, type: 'solid' },
      // `{b}` is the item's name: a run's name is text, never read as a template itself
      label: { formatter: '{b}', position: 'insideEndTop', color: LABEL_COLOR, fontSize: 10 },
      data: lines.map((m) => ({ name: m.label, xAxis: m.x, ...(m.dashed ? { lineStyle: { type: 'dashed' } } : {}) })),
    };
  }
  if (spans.length) {
    out.markArea = {
      silent: true, animation: false,
      itemStyle: { color: SPAN_COLOR },
      label: { position: 'insideTop', color: LABEL_COLOR, fontSize: 10 },
      // from the series' first x ('min': ECharts reads it off the data); no y: the whole height
      data: spans.map((m) => [{ name: m.label, xAxis: 'min' }, { xAxis: m.to }]),
    };
  }
  return out;
}
