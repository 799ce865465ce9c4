// The compare panels: parallel coordinates (config axes and the metric) and parameter importance,
// over the runs shown in charts, in a section of their own after the line charts (closed, it
// keeps out of their way; the state remembers it). Each loads when it comes into view, again
// when marked stale.

import { api } from '../../api';
import { LazyChart } from '../../charts';
import { h, mount, select } from '../../dom';
import { importanceOption, parallelOption } from '../../lib/chartOptions';
import { chartFilter } from '../../lib/urlState';
import { isSectionOpen } from '../../lib/panelSections';
import { chooser, popover } from '../../widgets';
import { stateSection } from './chartSections';
import type { WorkspaceContext } from './context';

export const COMPARE_SECTION = 'compare';

export class ComparePanels {
  readonly el: HTMLDetailsElement;
  private readonly parallelChart: LazyChart;
  private readonly importanceChart: LazyChart;
  private readonly parallelNote = h('span', { class: 'panel-note' });
  private readonly importanceNote = h('span', { class: 'panel-note' });
  private readonly parallelControls = h('span', { class: 'panel-tools' });
  private readonly importanceControls = h('span', { class: 'panel-tools' });
  private parallelStale = true;
  private importanceStale = true;
  /** answers to an older request are dropped */
  private parallelSeq = 0;
  private importanceSeq = 0;

  constructor(private readonly ctx: WorkspaceContext) {
    this.parallelChart = new LazyChart(h('div', { class: 'chart chart-tall', 'data-panel-chart': 'parallel' }), () => void this.loadParallel());
    this.importanceChart = new LazyChart(h('div', { class: 'chart chart-tall', 'data-panel-chart': 'importance' }), () => void this.loadImportance());
    const grid = h('div', { class: 'panel-grid compare-grid' },
      h('div', { class: 'panel panel-wide', 'data-panel': 'parallel' },
        h('div', { class: 'panel-head' }, h('span', { class: 'panel-title' }, 'Parallel coordinates'), this.parallelNote, this.parallelControls),
        this.parallelChart.el),
      h('div', { class: 'panel', 'data-panel': 'importance' },
        h('div', { class: 'panel-head' }, h('span', { class: 'panel-title' }, 'Parameter importance'), this.importanceNote, this.importanceControls),
        this.importanceChart.el));
    const summary = h('summary', { class: 'section-head' }, h('span', { class: 'section-title' }, 'Compare'), h('span', { class: 'muted section-note' }, 'runs shown in charts'));
    this.el = stateSection(ctx, COMPARE_SECTION, summary, grid, 'ws-compare');
  }

  /** Opened or closed by the state (a link, back or forward). */
  syncOpen(): void {
    this.el.open = isSectionOpen(this.ctx.state.sections, COMPARE_SECTION);
  }

  renderControls(): void {
    const keys = this.ctx.keys;
    const metricSelect = () => select(keys.summaryKeys().map((k): [string, string] => [k, k]), keys.metric(),
      (v) => this.ctx.setState({ metric: v }), { class: 'select select-sm', 'aria-label': 'Metric' });
    const paramsBtn: HTMLButtonElement = h('button', {
      class: 'btn btn-xs', title: 'Axes (config keys)',
      onclick: () => popover(paramsBtn, chooser([{ label: 'Config', options: keys.configKeys().map((k) => ({ value: `config.${k}`, label: k })) }],
        keys.parallelParams(), (values) => this.ctx.setState({ pc: values.map((v) => v.replace(/^config\./, '')) }), { max: 16 })),
    }, 'Axes');
    mount(this.parallelControls, paramsBtn, metricSelect());
    mount(this.importanceControls, metricSelect());
  }

  /** The runs or the choices changed: reload what is in view, the rest when it comes into view. */
  refresh(): void {
    this.parallelStale = true;
    this.importanceStale = true;
    if (this.parallelChart.visible) void this.loadParallel();
    if (this.importanceChart.visible) void this.loadImportance();
  }

  dispose(): void {
    this.parallelChart.dispose();
    this.importanceChart.dispose();
  }

  private async loadParallel(): Promise<void> {
    if (!this.ctx.project || (!this.parallelStale && this.parallelChart.chart)) return;
    this.parallelStale = false;
    const seq = ++this.parallelSeq;
    const metric = this.ctx.keys.metric();
    const params = this.ctx.keys.parallelParams();
    if (!metric) {
      this.parallelNote.textContent = 'no metric yet';
      return;
    }
    try {
      const data = await api.parallel(this.ctx.name, params, `summary.${metric}`, chartFilter(this.ctx.state));
      if (seq !== this.parallelSeq || this.ctx.disposed) return;
      this.parallelNote.textContent = `${data.rows.length} run${data.rows.length === 1 ? '' : 's'}`;
      this.parallelChart.set(parallelOption(data));
    } catch (e) {
      if (seq === this.parallelSeq) this.parallelNote.textContent = `error: ${(e as Error).message}`;
    }
  }

  private async loadImportance(): Promise<void> {
    if (!this.ctx.project || (!this.importanceStale && this.importanceChart.chart)) return;
    this.importanceStale = false;
    const seq = ++this.importanceSeq;
    const metric = this.ctx.keys.metric();
    if (!metric) {
      this.importanceNote.textContent = 'no metric yet';
      return;
    }
    try {
      const data = await api.importance(this.ctx.name, `summary.${metric}`, null, chartFilter(this.ctx.state));
      if (seq !== this.importanceSeq || this.ctx.disposed) return;
      const partial = data.parameters.every((p) => p.importance === null) ? ' · correlation only' : '';
      this.importanceNote.textContent = `${metric} · ${data.runsUsed} run${data.runsUsed === 1 ? '' : 's'}${partial}`;
      this.importanceChart.set(importanceOption({ metric, parameters: data.parameters.slice(0, 20) }));
    } catch (e) {
      if (seq === this.importanceSeq) this.importanceNote.textContent = `error: ${(e as Error).message}`;
    }
  }
}
