// A scatter panel: two fields of the runs (config or summary) against each other, a point per run
// shown in charts. The fields are the owner's to keep (the workspace puts them in its state).

import type { Run } from '../api';
import { LazyChart } from '../charts';
import { h, mount, select } from '../dom';
import { fieldValue } from '../lib/filters';
import { scatterOption } from '../lib/scatterOption';
import { chartValue } from '../lib/values';

export interface ScatterHost {
  /** the fields to choose from: `config.<path>` and `summary.<key>` */
  fields(): string[];
  runs(): Run[];
  colorOf(runId: string): string;
  nameOf(run: Run): string;
  setFields(x: string, y: string): void;
}

export class ScatterPanel {
  readonly el: HTMLElement;
  private readonly chart: LazyChart;
  private readonly controls = h('span', { class: 'panel-tools' });
  private readonly note = h('span', { class: 'panel-note' });

  constructor(private readonly host: ScatterHost, private x: string, private y: string) {
    this.chart = new LazyChart(h('div', { class: 'chart', 'data-panel-chart': 'scatter' }), () => this.render());
    this.el = h('div', { class: 'panel', 'data-panel': 'scatter' },
      h('div', { class: 'panel-head' }, h('span', { class: 'panel-title' }, 'Scatter'), this.note, this.controls),
      this.chart.el);
  }

  setFields(x: string, y: string): void {
    this.x = x;
    this.y = y;
    this.render();
  }

  render(): void {
    const fields = this.host.fields();
    const options = fields.map((f): [string, string] => [f, f]);
    const pick = (value: string, label: string, set: (v: string) => void) =>
      select(options.some(([v]) => v === value) ? options : [[value, value], ...options], value, set, { class: 'select select-sm', 'aria-label': label });
    mount(this.controls,
      pick(this.x, 'Scatter x', (v) => this.host.setFields(v, this.y)), h('span', { class: 'muted small' }, 'vs'),
      pick(this.y, 'Scatter y', (v) => this.host.setFields(this.x, v)));
    if (!this.chart.visible) return;
    const points = this.host.runs().map((run) => ({
      runId: run.runId, name: this.host.nameOf(run), color: this.host.colorOf(run.runId),
      x: chartValue(fieldValue(run, this.x)), y: chartValue(fieldValue(run, this.y)),
    }));
    const drawn = points.filter((p) => p.x !== null && p.y !== null).length;
    this.note.textContent = `${drawn} run${drawn === 1 ? '' : 's'}`;
    this.chart.set(scatterOption({ xField: this.x, yField: this.y, points }));
  }

  dispose(): void {
    this.chart.dispose();
  }
}
