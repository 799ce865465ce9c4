// A line panel: one metric over the runs shown in charts (or per group: mean and min-max band).
// The owner loads its data; the chart itself is made when the panel scrolls into view.

import { LazyChart } from '../charts';
import { h, icon } from '../dom';
import { lineOption, type GroupLine, type RunLine } from '../lib/chartOptions';
import type { SampledSeries } from '../lib/series';

export interface LinePanelHost {
  onVisible(panel: LinePanel): void;
  toggleLog?(metric: string): void;
  remove?(metric: string): void;
}

export class LinePanel {
  readonly el: HTMLElement;
  readonly chart: LazyChart;
  /** per run: its sampled series of this metric */
  data = new Map<string, SampledSeries | null>();
  /** runs whose data changed on the server since it was loaded */
  stale = new Set<string>();
  groups: GroupLine[] | null = null;
  groupsStale = true;
  loading = false;
  private readonly note: HTMLElement;
  private readonly logBtn: HTMLButtonElement;
  private readonly outliersBtn: HTMLButtonElement;
  /** the y axis fits every value (by default outliers are left off it) */
  private outliers = false;
  private last: Parameters<LinePanel['render']>[0] | null = null;

  constructor(readonly metric: string, host: LinePanelHost, log = false) {
    const chartEl = h('div', { class: 'chart', 'data-metric': metric });
    this.note = h('div', { class: 'panel-note' });
    this.logBtn = h('button', {
      class: `btn btn-xs${log ? ' on' : ''}`, title: 'Logarithmic y axis', 'aria-pressed': log ? 'true' : 'false',
      onclick: () => host.toggleLog?.(metric),
    }, 'log');
    this.outliersBtn = h('button', {
      class: 'btn btn-xs', title: 'Fit the y axis to every value, outliers too', 'aria-pressed': 'false', 'data-action': 'outliers',
      onclick: () => {
        this.outliers = !this.outliers;
        this.outliersBtn.classList.toggle('on', this.outliers);
        this.outliersBtn.setAttribute('aria-pressed', String(this.outliers));
        if (this.last) this.render(this.last);
      },
    }, 'outliers');
    this.el = h('div', { class: 'panel line-panel', 'data-panel': metric },
      h('div', { class: 'panel-head' },
        h('span', { class: 'panel-title', title: metric }, metric),
        this.note,
        h('span', { class: 'panel-tools' },
          this.outliersBtn,
          host.toggleLog ? this.logBtn : null,
          host.remove ? h('button', { class: 'btn btn-xs btn-icon', title: 'Remove this panel', 'aria-label': `Remove ${metric}`, onclick: () => host.remove?.(metric) }, icon('x')) : null)),
      chartEl);
    this.chart = new LazyChart(chartEl, () => host.onVisible(this));
  }

  get visible(): boolean {
    return this.chart.visible;
  }

  setLog(log: boolean): void {
    this.logBtn.classList.toggle('on', log);
    this.logBtn.setAttribute('aria-pressed', log ? 'true' : 'false');
  }

  setNote(text: string): void {
    this.note.textContent = text;
  }

  render(o: { xKey: string; log: boolean; smoothing: number; runs?: RunLine[]; groups?: GroupLine[] }): void {
    this.last = o;
    this.setLog(o.log);
    const empty = o.groups ? o.groups.every((g) => g.x.length === 0) : (o.runs ?? []).every((r) => !r.series || r.series.x.length === 0);
    this.el.classList.toggle('is-empty', empty && !this.loading);
    this.chart.set(lineOption({ metric: this.metric, ...o, outliers: this.outliers }));
  }

  dispose(): void {
    this.chart.dispose();
  }
}
