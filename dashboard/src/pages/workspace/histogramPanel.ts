// A histograms panel: per run a heat map over steps, as W&B draws them (x the step, y the value,
// colour the count), side by side (small multiples). Every step's bins are its own, so all of
// them (of every run in the panel) are re-binned onto one y grid (lib/histogramBins): the runs'
// maps share their y axis and can be compared.

import { LazyChart } from '../../charts';
import { h, mount } from '../../dom';
import { gridEdges, heatmapData, histogramRange, type Histogram } from '../../lib/histogramBins';
import { heatmapOption } from '../../lib/histogramOption';
import { MediaPanelBase, muted, runChip, type MediaRun } from './mediaPanel';

/** bins of the common y grid */
const Y_BINS = 48;

interface Multiple {
  el: HTMLElement;
  chartEl: HTMLElement;
  chart: LazyChart;
  status: HTMLElement;
}

export class HistogramPanel extends MediaPanelBase {
  private readonly grid = h('div', { class: 'media-runs media-multiples' });
  private readonly multiples = new Map<string, Multiple>();

  constructor(key: string, project: string) {
    super(key, 'histogram', project);
    mount(this.body, this.grid);
  }

  /** The histograms of a run at its sampled steps. */
  private seriesOf(runId: string): { step: number; histogram: Histogram }[] {
    return (this.values.get(runId)?.steps ?? []).flatMap((s) => (s.histogram ? [{ step: s.step, histogram: s.histogram }] : []));
  }

  protected override draw(): void {
    const total = Math.max(0, ...this.runs.map((r) => r.info.steps));
    this.note.textContent = `${this.runs.length} run${this.runs.length === 1 ? '' : 's'} · ${total} step${total === 1 ? '' : 's'}`;
    const range = histogramRange(this.runs.flatMap((r) => this.seriesOf(r.id).map((s) => s.histogram)));
    const edges = range ? gridEdges(range[0], range[1], Y_BINS) : null;
    const columns = Math.max(1, Math.min(3, this.runs.length));
    this.grid.style.gridTemplateColumns = `repeat(${columns}, minmax(0, 1fr))`;

    const wanted = new Set(this.runs.map((r) => r.id));
    for (const [id, m] of this.multiples) {
      if (wanted.has(id)) continue;
      m.chart.dispose();
      this.multiples.delete(id);
    }
    const els = this.runs.map((run) => {
      const m = this.multiple(run);
      const series = this.seriesOf(run.id);
      const values = this.values.get(run.id);
      const status = !values ? this.values.error(run.id) ?? 'Loading…' : !series.length || !edges ? 'No histograms.' : '';
      mount(m.status, status ? muted(status) : null);
      m.chartEl.hidden = !!status;
      if (!status && edges) {
        const data = heatmapData(series, edges);
        m.chartEl.dataset.steps = String(data.steps.length);
        m.chart.set(heatmapOption(data, run.color));
      }
      return m.el;
    });
    const current = [...this.grid.children];
    if (current.length !== els.length || current.some((c, i) => c !== els[i])) this.grid.replaceChildren(...els);
  }

  private multiple(run: MediaRun): Multiple {
    let m = this.multiples.get(run.id);
    if (m) {
      m.el.replaceChild(runChip(run), m.el.firstChild!);
      return m;
    }
    const chartEl = h('div', { class: 'chart media-heatmap', 'data-run': run.id });
    const status = h('div');
    const el = h('div', { class: 'media-run-cell', 'data-run': run.id }, runChip(run), status, chartEl);
    m = { el, chartEl, status, chart: new LazyChart(chartEl) };
    this.multiples.set(run.id, m);
    return m;
  }

  override dispose(): void {
    super.dispose();
    for (const m of this.multiples.values()) m.chart.dispose();
    this.multiples.clear();
  }
}
