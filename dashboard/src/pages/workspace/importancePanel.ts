// The parameter-importance panel: how much each config key explains the metric over the runs shown
// in charts (brush included), with the correlation beside each bar. Keys every run shares are left
// out and named; too few runs for the forest to mean much get a warning above the bars.

import { api } from '../../api';
import { LazyChart } from '../../charts';
import { h, mount } from '../../dom';
import { importanceOption } from '../../lib/chartOptions';
import { importanceView } from '../../lib/importanceView';
import { chartFilter } from '../../lib/urlState';
import type { WorkspaceContext } from './context';

export class ImportancePanel {
  readonly el: HTMLElement;
  private readonly chart: LazyChart;
  private readonly note = h('span', { class: 'panel-note' });
  private readonly controls = h('span', { class: 'panel-tools' });
  private readonly warning = h('div', { class: 'compare-warning', role: 'status', 'data-importance-warning': '', hidden: true });
  private readonly constant = h('div', { class: 'compare-foot muted', 'data-importance-constant': '', hidden: true });
  private stale = true;
  /** answers to an older request are dropped */
  private seq = 0;

  constructor(private readonly ctx: WorkspaceContext) {
    this.chart = new LazyChart(h('div', { class: 'chart chart-tall', 'data-panel-chart': 'importance' }), () => void this.load());
    this.el = h('div', { class: 'panel', 'data-panel': 'importance' },
      h('div', { class: 'panel-head' }, h('span', { class: 'panel-title' }, 'Parameter importance'), this.note, this.controls),
      this.warning,
      this.chart.el,
      this.constant);
  }

  renderControls(metricSelect: HTMLElement): void {
    mount(this.controls, metricSelect);
  }

  refresh(): void {
    this.stale = true;
    if (this.chart.visible) void this.load();
  }

  dispose(): void {
    this.chart.dispose();
  }

  private async load(): Promise<void> {
    if (!this.ctx.project || (!this.stale && this.chart.chart)) return;
    this.stale = false;
    const seq = ++this.seq;
    const metric = this.ctx.keys.metric();
    if (!metric) {
      this.note.textContent = 'no metric yet';
      return;
    }
    try {
      const data = await api.importance(this.ctx.name, `summary.${metric}`, null, chartFilter(this.ctx.state));
      if (seq !== this.seq || this.ctx.disposed) return;
      const view = importanceView(data);
      const partial = view.parameters.length && view.parameters.every((p) => p.importance === null) ? ' · correlation only' : '';
      this.note.textContent = `${metric} · ${data.runsUsed} run${data.runsUsed === 1 ? '' : 's'}${partial}`;
      this.warning.hidden = !view.warning;
      this.warning.textContent = view.warning ?? '';
      this.constant.hidden = !view.constant.length;
      this.constant.textContent = view.constant.length
        ? `Left out, the same in every run: ${view.constant.join(', ')}`
        : '';
      this.constant.title = this.constant.textContent;
      this.chart.set(importanceOption({ metric, parameters: view.parameters }));
    } catch (e) {
      if (seq === this.seq) this.note.textContent = `error: ${(e as Error).message}`;
    }
  }
}
