// The parallel-coordinates panel: config axes and the metric over the runs shown in charts. A range
// brushed on an axis goes into the workspace state (and so the URL, the runs table and the other
// charts); the panel itself keeps drawing every run, the brushed ones highlighted, so the user sees
// what the brush leaves out and can move it.

import { api } from '../../api';
import { LazyChart } from '../../charts';
import { h, mount } from '../../dom';
import { axisIntervals, describeBrush, withAxisBrush } from '../../lib/brush';
import { parallelOption } from '../../lib/chartOptions';
import { chartFilter, isVisible } from '../../lib/urlState';
import { formatNumber } from '../../lib/values';
import { chooser, popover } from '../../widgets';
import type { WorkspaceContext } from './context';

interface AxisAreaSelected {
  parallelAxisId?: string;
  intervals?: [number, number][];
}

/** frames to wait for a lazily drawn option before the brush can be put back on it */
const RESTORE_FRAMES = 10;

export class ParallelPanel {
  readonly el: HTMLElement;
  private readonly chart: LazyChart;
  private readonly note = h('span', { class: 'panel-note' });
  private readonly controls = h('span', { class: 'panel-tools' });
  private readonly brushBar = h('div', { class: 'brush-bar', 'data-brush-bar': '', hidden: true });
  private stale = true;
  /** answers to an older request are dropped */
  private seq = 0;
  /** the fields drawn, and each category axis's categories (a brush on one comes as indexes) */
  private dims: string[] = [];
  private categories = new Map<string, string[]>();
  /** set while the brush is drawn back, whose events are not the user's */
  private restoring = false;
  private listening: unknown = null;

  constructor(private readonly ctx: WorkspaceContext) {
    this.chart = new LazyChart(h('div', { class: 'chart chart-tall', 'data-panel-chart': 'parallel' }), () => void this.load());
    this.el = h('div', { class: 'panel', 'data-panel': 'parallel' },
      h('div', { class: 'panel-head' }, h('span', { class: 'panel-title' }, 'Parallel coordinates'), this.note, this.controls),
      this.brushBar,
      this.chart.el);
  }

  renderControls(metricSelect: HTMLElement): void {
    const keys = this.ctx.keys;
    const paramsBtn: HTMLButtonElement = h('button', {
      class: 'btn btn-xs', title: 'Axes (config keys)',
      onclick: () => popover(paramsBtn, chooser([{ label: 'Config', options: keys.configKeys().map((k) => ({ value: `config.${k}`, label: k })) }],
        keys.parallelParams(), (values) => this.ctx.setState({ pc: values.map((v) => v.replace(/^config\./, '')) }), { max: 16 })),
    }, 'Axes');
    mount(this.controls, paramsBtn, metricSelect);
    const brush = this.ctx.state.brush;
    const active = Object.keys(brush).length > 0;
    this.brushBar.hidden = !active;
    if (active) {
      mount(this.brushBar,
        h('span', { class: 'brush-text', title: 'Drag on an axis to brush; click an axis outside its brush to drop it' },
          `Brushed: ${describeBrush(brush, (v) => formatNumber(v, 3))}`),
        h('button', { class: 'btn btn-xs', 'data-action': 'clear-brush', onclick: () => this.ctx.setState({ brush: {} }) }, 'Clear brush'));
    }
  }

  get visible(): boolean {
    return this.chart.visible;
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
    const params = this.ctx.keys.parallelParams();
    if (!metric) {
      this.note.textContent = 'no metric yet';
      return;
    }
    try {
      // Every run shown in charts, the brush aside: the brush highlights among them.
      const data = await api.parallel(this.ctx.name, params, `summary.${metric}`, chartFilter({ ...this.ctx.state, brush: {} }));
      if (seq !== this.seq || this.ctx.disposed) return;
      const shown = this.ctx.runs.filter((r) => isVisible(this.ctx.state, r.runId)).length;
      const brushed = Object.keys(this.ctx.state.brush).length ? ` · ${shown} brushed` : '';
      this.note.textContent = `${data.rows.length} run${data.rows.length === 1 ? '' : 's'}${brushed}`;
      const option = parallelOption(data);
      this.dims = data.dimensions;
      this.categories = new Map((option.parallelAxis as { id: string; data?: string[] }[])
        .filter((a) => a.data).map((a) => [a.id, a.data as string[]]));
      this.chart.set(option);
      this.listen();
      this.restoreBrush(RESTORE_FRAMES);
    } catch (e) {
      if (seq === this.seq) this.note.textContent = `error: ${(e as Error).message}`;
    }
  }

  private listen(): void {
    const chart = this.chart.chart;
    if (!chart || this.listening === chart) return;
    this.listening = chart;
    chart.on('axisareaselected', (e) => this.onBrush(e as AxisAreaSelected));
  }

  private onBrush(e: AxisAreaSelected): void {
    const field = e.parallelAxisId;
    if (this.restoring || !field || !this.dims.includes(field)) return;
    const brush = this.ctx.state.brush;
    const next = withAxisBrush(brush, field, e.intervals ?? [], this.categories.get(field));
    if (JSON.stringify(next) !== JSON.stringify(brush)) this.ctx.setState({ brush: next });
  }

  /**
   * Draws the brush back after the option was replaced (which drops it). The option is drawn on
   * the next frame, and the axes to brush exist only then: until they do, wait a frame.
   */
  private restoreBrush(frames: number): void {
    const chart = this.chart.chart;
    const brush = this.ctx.state.brush;
    if (!chart || !Object.keys(brush).length) return;
    const model = (chart as unknown as { getModel(): { getComponent(type: string, i: number): { axis?: unknown } | undefined } | undefined }).getModel();
    if (!model?.getComponent('parallelAxis', 0)?.axis) {
      if (frames > 0) requestAnimationFrame(() => this.restoreBrush(frames - 1));
      return;
    }
    this.restoring = true;
    try {
      for (const field of Object.keys(brush)) {
        const intervals = axisIntervals(brush, field, this.categories.get(field));
        if (intervals.length && this.dims.includes(field)) chart.dispatchAction({ type: 'axisAreaSelect', parallelAxisId: field, intervals });
      }
      // The action leaves its axis undrawn (ECharts expects the cover to be the user's, already
      // there): an empty merge redraws every axis with its cover.
      chart.setOption({});
    } finally {
      this.restoring = false;
    }
  }
}
