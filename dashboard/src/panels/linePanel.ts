// A line panel: one metric over the runs shown in charts (or per group: mean and min-max band).
// The owner loads its data; the chart itself is made when the panel scrolls into view. Drag on
// the plot to zoom; the settings (y bounds, size, place) are the owner's to keep when it can (the
// workspace puts them in the URL), the panel's own otherwise.

import type { ECharts } from 'echarts/core';
import { LazyChart } from '../charts';
import { h, icon } from '../dom';
import { lineOption, type GroupLine, type RunLine } from '../lib/chartOptions';
import type { SampledSeries } from '../lib/series';
import type { PanelSize, YRange } from '../lib/urlState';
import type { XMark } from '../lib/xMarks';
import { popover } from '../widgets';
import { dragToZoom } from './dragZoom';

export interface PanelLayout {
  size: PanelSize;
  yRange: YRange | null;
  legend: boolean;
}

export interface LinePanelHost {
  onVisible(panel: LinePanel): void;
  toggleLog?(metric: string): void;
  remove?(metric: string): void;
  /** keeps a layout choice; the owner then calls applyLayout. Without it the panel keeps its choices itself (and offers no sizes). */
  setLayout?(metric: string, patch: Partial<PanelLayout>): void;
  /** moves the panel `delta` places within its section */
  move?(metric: string, delta: number): void;
  /** moves the panel to where `target` is (dragged onto it) */
  moveTo?(metric: string, target: string): void;
}

export interface LineRender {
  xKey: string;
  log: boolean;
  smoothing: number;
  runs?: RunLine[];
  groups?: GroupLine[];
  marks?: XMark[];
}

const SIZES: [PanelSize, string][] = [['s', 'Small'], ['m', 'Medium'], ['l', 'Large']];
const DRAG_TYPE = 'application/x-runstream-panel';

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
  layout: PanelLayout = { size: 'm', yRange: null, legend: false };
  private readonly note: HTMLElement;
  private readonly logBtn: HTMLButtonElement;
  private readonly outliersBtn: HTMLButtonElement;
  private readonly legendBtn: HTMLButtonElement;
  private readonly resetZoomBtn: HTMLButtonElement;
  private readonly fullBtn: HTMLButtonElement;
  /** the y axis fits every value (by default outliers are left off it) */
  private outliers = false;
  /** the x range zoomed to, in the chart's units; null: all */
  private zoom: [number, number] | null = null;
  private last: LineRender | null = null;
  private hooked: ECharts | null = null;
  private readonly detachZoom: () => void;
  private readonly onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && !document.querySelector('.popover')) this.setFullScreen(false);
  };

  constructor(readonly metric: string, private readonly host: LinePanelHost, log = false) {
    const chartEl = h('div', { class: 'chart', 'data-metric': metric, ondblclick: () => this.setZoom(null) });
    this.note = h('div', { class: 'panel-note' });
    this.logBtn = h('button', {
      class: `btn btn-xs${log ? ' on' : ''}`, title: 'Logarithmic y axis', 'aria-pressed': log ? 'true' : 'false',
      onclick: () => host.toggleLog?.(metric),
    }, 'log');
    this.outliersBtn = h('button', {
      class: 'btn btn-xs', title: 'Fit the y axis to every value, outliers too', 'aria-pressed': 'false', 'data-action': 'outliers',
      onclick: () => {
        this.outliers = !this.outliers;
        pressed(this.outliersBtn, this.outliers);
        this.redraw();
      },
    }, 'outliers');
    this.legendBtn = h('button', {
      class: 'btn btn-xs', title: 'Show the legend', 'aria-pressed': 'false', 'data-action': 'legend',
      onclick: () => this.change({ legend: !this.layout.legend }),
    }, 'legend');
    this.resetZoomBtn = h('button', {
      class: 'btn btn-xs', title: 'Show the whole x range (or double-click the chart)', 'data-action': 'reset-zoom', hidden: true,
      onclick: () => this.setZoom(null),
    }, 'reset zoom');
    this.fullBtn = h('button', {
      class: 'btn btn-xs btn-icon', title: 'Full screen (Esc closes)', 'aria-label': `Full screen ${metric}`, 'data-action': 'fullscreen',
      onclick: () => this.setFullScreen(!this.el.classList.contains('is-fullscreen')),
    }, '⤢');
    const settingsBtn: HTMLButtonElement = h('button', {
      class: 'btn btn-xs btn-icon', title: 'Panel settings: y range, size, place', 'aria-label': `Settings of ${metric}`, 'data-action': 'settings',
      onclick: () => popover(settingsBtn, this.settings()),
    }, '⋯');
    const title = h('span', { class: 'panel-title', title: metric }, metric);
    this.el = h('div', { class: 'panel line-panel', 'data-panel': metric, 'data-size': 'm' },
      h('div', { class: 'panel-head' },
        host.moveTo ? h('span', { class: 'drag-handle', title: 'Drag to move the panel', 'aria-hidden': 'true' }, '⠿') : null,
        title,
        this.note,
        h('span', { class: 'panel-tools' },
          this.resetZoomBtn,
          this.outliersBtn,
          host.toggleLog ? this.logBtn : null,
          this.legendBtn,
          settingsBtn,
          this.fullBtn,
          host.remove ? h('button', { class: 'btn btn-xs btn-icon', title: 'Remove this panel', 'aria-label': `Remove ${metric}`, onclick: () => host.remove?.(metric) }, icon('x')) : null)),
      chartEl);
    if (host.moveTo) this.makeDraggable();
    this.chart = new LazyChart(chartEl, () => {
      this.hook();
      host.onVisible(this);
    });
    this.detachZoom = dragToZoom(chartEl, () => this.chart.chart, (range) => this.setZoom(range));
  }

  get visible(): boolean {
    return this.chart.visible;
  }

  setLog(log: boolean): void {
    pressed(this.logBtn, log);
  }

  setNote(text: string): void {
    this.note.textContent = text;
  }

  /** The layout chosen (by the owner, from its state). */
  applyLayout(layout: PanelLayout): void {
    const before = JSON.stringify(this.layout);
    this.layout = layout;
    this.el.dataset.size = layout.size;
    pressed(this.legendBtn, layout.legend);
    if (JSON.stringify(layout) !== before) this.redraw();
  }

  render(o: LineRender): void {
    if (this.last && this.last.xKey !== o.xKey) this.setZoomState(null); // another axis: the range means nothing there
    this.last = o;
    this.setLog(o.log);
    const empty = o.groups ? o.groups.every((g) => g.x.length === 0) : (o.runs ?? []).every((r) => !r.series || r.series.x.length === 0);
    this.el.classList.toggle('is-empty', empty && !this.loading);
    const [yMin, yMax] = this.layout.yRange ?? [null, null];
    this.chart.set(lineOption({ metric: this.metric, ...o, outliers: this.outliers, yMin, yMax, legend: this.layout.legend, xRange: this.zoom }));
  }

  dispose(): void {
    this.setFullScreen(false);
    this.detachZoom();
    this.chart.dispose();
  }

  private redraw(): void {
    if (this.last) this.render(this.last);
  }

  private change(patch: Partial<PanelLayout>): void {
    if (this.host.setLayout) this.host.setLayout(this.metric, patch);
    else this.applyLayout({ ...this.layout, ...patch });
  }

  // ---------------------------------------------------------------- zoom, full screen

  private setZoomState(range: [number, number] | null): void {
    this.zoom = range;
    this.resetZoomBtn.hidden = !range;
    this.el.classList.toggle('is-zoomed', !!range);
  }

  private setZoom(range: [number, number] | null): void {
    if (!range && !this.zoom) return;
    this.setZoomState(range);
    this.redraw();
  }

  /** Follows zooms made with ECharts' own gestures (Shift and the wheel), so a redraw keeps them. */
  private hook(): void {
    const c = this.chart.chart;
    if (!c || c === this.hooked) return;
    this.hooked = c;
    c.on('datazoom', () => {
      const dz = (c.getOption().dataZoom as { start?: number; end?: number; startValue?: number; endValue?: number }[] | undefined)?.[0];
      if (!dz) return;
      const all = (dz.start ?? 0) <= 0 && (dz.end ?? 100) >= 100;
      this.setZoomState(all || dz.startValue === undefined || dz.endValue === undefined ? null : [dz.startValue, dz.endValue]);
    });
  }

  private setFullScreen(on: boolean): void {
    if (on === this.el.classList.contains('is-fullscreen')) return;
    this.el.classList.toggle('is-fullscreen', on);
    this.fullBtn.classList.toggle('on', on);
    this.fullBtn.title = on ? 'Close full screen (Esc)' : 'Full screen (Esc closes)';
    if (on) document.addEventListener('keydown', this.onKey);
    else document.removeEventListener('keydown', this.onKey);
  }

  // ---------------------------------------------------------------- settings

  private settings(): HTMLElement {
    const [lo, hi] = this.layout.yRange ?? [null, null];
    const bound = (label: string, value: number | null) => h('input', {
      type: 'number', class: 'input input-sm', step: 'any', placeholder: 'auto', 'aria-label': label, value: value === null ? '' : String(value),
      onchange: () => applyRange(),
      onkeydown: (e: KeyboardEvent) => { if (e.key === 'Enter') applyRange(); },
    });
    const minInput = bound('Y min', lo);
    const maxInput = bound('Y max', hi);
    const read = (i: HTMLInputElement) => (i.value.trim() === '' || !Number.isFinite(Number(i.value)) ? null : Number(i.value));
    const applyRange = () => {
      const range: YRange = [read(minInput), read(maxInput)];
      this.change({ yRange: range[0] === null && range[1] === null ? null : range });
    };
    const rows: HTMLElement[] = [
      h('div', { class: 'settings-row' }, h('span', { class: 'settings-label' }, 'Y range'), minInput, h('span', { class: 'muted' }, 'to'), maxInput,
        h('button', {
          class: 'btn btn-xs', title: 'Automatic y range',
          onclick: () => {
            minInput.value = '';
            maxInput.value = '';
            applyRange();
          },
        }, 'auto')),
    ];
    if (this.host.setLayout) {
      rows.push(h('div', { class: 'settings-row', role: 'group', 'aria-label': 'Size' }, h('span', { class: 'settings-label' }, 'Size'),
        SIZES.map(([size, label]) => {
          const b: HTMLButtonElement = h('button', {
            class: `btn btn-xs${this.layout.size === size ? ' on' : ''}`, 'data-size': size, 'aria-pressed': String(this.layout.size === size),
            onclick: () => {
              this.change({ size });
              for (const other of b.parentElement!.querySelectorAll('button')) pressed(other as HTMLButtonElement, other === b);
            },
          }, label);
          return b;
        })));
    }
    if (this.host.move) {
      rows.push(h('div', { class: 'settings-row' }, h('span', { class: 'settings-label' }, 'Place'),
        h('button', { class: 'btn btn-xs', 'data-action': 'move-earlier', onclick: () => this.host.move?.(this.metric, -1) }, '← earlier'),
        h('button', { class: 'btn btn-xs', 'data-action': 'move-later', onclick: () => this.host.move?.(this.metric, 1) }, 'later →')));
    }
    return h('div', { class: 'panel-settings', 'data-settings': this.metric }, h('div', { class: 'settings-title' }, this.metric), rows);
  }

  /** Drag the panel by its head onto another panel of its section to put it there. */
  private makeDraggable(): void {
    const head = this.el.querySelector<HTMLElement>('.panel-head')!;
    head.draggable = true;
    head.addEventListener('dragstart', (e) => {
      e.dataTransfer?.setData(DRAG_TYPE, this.metric);
      e.dataTransfer?.setData('text/plain', this.metric);
      if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
      this.el.classList.add('is-dragging');
    });
    head.addEventListener('dragend', () => this.el.classList.remove('is-dragging'));
    this.el.addEventListener('dragover', (e) => {
      if (!e.dataTransfer?.types.includes(DRAG_TYPE)) return;
      e.preventDefault();
      this.el.classList.add('drop-target');
    });
    this.el.addEventListener('dragleave', () => this.el.classList.remove('drop-target'));
    this.el.addEventListener('drop', (e) => {
      this.el.classList.remove('drop-target');
      const from = e.dataTransfer?.getData(DRAG_TYPE);
      if (!from || from === this.metric) return;
      e.preventDefault();
      this.host.moveTo?.(from, this.metric);
    });
  }
}

function pressed(b: HTMLButtonElement, on: boolean): void {
  b.classList.toggle('on', on);
  b.setAttribute('aria-pressed', String(on));
}
