// The workspace's line panels: one per metric, in sections by key prefix, laid out as the state
// says (order, sizes, y bounds, legends); the chart controls (x axis, smoothing, runs in charts,
// panels); and their data: sampled histories of the runs shown (several keys per call), or per
// group a mean and band when the table is grouped.

import { api, runName, type Run } from '../../api';
import { debounce, h, mount, select } from '../../dom';
import { relativeTo, RUNTIME, runStartSeconds } from '../../lib/axisFormat';
import { definitionFor } from '../../lib/definitions';
import { BAND_LABELS, bandOf, type BandKind } from '../../lib/groupBands';
import { groupSections, moveKey, sectionOf, SYSTEM_SECTION, type PanelSection } from '../../lib/panelSections';
import type { GroupLine } from '../../lib/chartOptions';
import type { SampledSeries } from '../../lib/series';
import { chartFilter, isVisible, MAX_CHART_RUNS } from '../../lib/urlState';
import { LinePanel, type LinePanelHost, type PanelLayout } from '../../panels/linePanel';
import { chooser, popover } from '../../widgets';
import { ChartSections } from './chartSections';
import type { WorkspaceContext } from './context';

const SAMPLES = 400;
const KEYS_PER_CALL = 4;

export class LineCharts {
  readonly el: HTMLElement;
  private readonly panels = new Map<string, LinePanel>();
  /** bumped when loaded data no longer fits (another x axis, grouping): answers to older calls are dropped */
  private gen = 0;
  private readonly queue = new Set<LinePanel>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private chartTimer: ReturnType<typeof setTimeout> | undefined;

  private readonly controls = h('div', { class: 'panel-controls' });
  private readonly title = h('span');
  private readonly sections: ChartSections;
  /** the sections as last laid out: moves are within these */
  private laidOut: PanelSection[] = [];
  private readonly host: LinePanelHost;

  constructor(private readonly ctx: WorkspaceContext) {
    this.sections = new ChartSections(ctx);
    this.el = h('div', { class: 'ws-line-charts' },
      h('div', { class: 'section-head sticky-controls' }, h('h2', null, 'Charts ', this.title), this.controls),
      this.sections.el);
    this.host = {
      onVisible: (p) => {
        this.renderPanel(p);
        if (this.needsData(p)) this.request(p);
      },
      toggleLog: (m) => {
        const log = this.ctx.state.log;
        this.ctx.setState({ log: log.includes(m) ? log.filter((x) => x !== m) : [...log, m] });
      },
      remove: (m) => this.ctx.setState({ panels: this.panelKeys().filter((k) => k !== m) }),
      setLayout: (m, patch) => this.setLayout(m, patch),
      move: (m, delta) => {
        const keys = this.sectionKeys(m);
        this.moveTo(m, keys, keys.indexOf(m) + delta);
      },
      moveTo: (m, target) => {
        const keys = this.sectionKeys(m);
        if (keys.includes(target)) this.moveTo(m, keys, keys.indexOf(target));
      },
    };
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
  }

  // ---------------------------------------------------------------- controls

  renderControls(): void {
    const s = this.ctx.state;
    const keys = this.ctx.keys;
    const xs: [string, string][] = [['_step', 'Step'], [RUNTIME, 'Relative time'], ['_timestamp', 'Time'], ...keys.metricKeys().map((k): [string, string] => [k, k])];
    const smoothLabel = h('span', { class: 'smooth-value' }, s.smooth ? s.smooth.toFixed(2) : 'off');
    const smoothApply = debounce((v: number) => this.ctx.setState({ smooth: v }), 60);
    const slider = h('input', {
      type: 'range', min: 0, max: 0.99, step: 0.01, value: String(s.smooth), 'aria-label': 'Smoothing',
      oninput: () => {
        smoothLabel.textContent = Number(slider.value) ? Number(slider.value).toFixed(2) : 'off';
        smoothApply(Number(slider.value));
      },
    });
    const panelsBtn: HTMLButtonElement = h('button', {
      class: 'btn btn-sm', title: 'Choose the metric panels',
      onclick: () => popover(panelsBtn, chooser([{ label: 'Metrics', options: keys.metricKeys().map((k) => ({ value: k, label: k })) }],
        this.panelKeys(), (values) => this.ctx.setState({ panels: values.length === keys.metricKeys().length ? null : values }))),
    }, 'Panels');
    const maxChoices = ['5', '10', '20', '50', '100'];
    mount(this.controls,
      h('label', { class: 'inline-label' }, 'X axis', select(xs, s.x, (v) => this.ctx.setState({ x: v }), { class: 'select select-sm', 'aria-label': 'X axis' })),
      h('label', { class: 'inline-label smoothing' }, 'Smoothing', slider, smoothLabel),
      s.group ? h('label', { class: 'inline-label', title: `Grouped by ${s.group}: each group's mean, and a band around it` }, 'Band',
        select(Object.entries(BAND_LABELS) as [BandKind, string][], s.band, (v) => this.ctx.setState({ band: v as BandKind }),
          { class: 'select select-sm', 'aria-label': 'Group band' }))
        : h('label', { class: 'inline-label' }, 'Runs',
          select(maxChoices.includes(String(s.max)) ? maxChoices : [String(s.max), ...maxChoices],
            String(s.max), (v) => this.ctx.setState({ max: Math.min(Number(v), MAX_CHART_RUNS) }), { class: 'select select-sm', 'aria-label': 'Runs in charts' })),
      panelsBtn);
    this.title.textContent = `(${this.panelKeys().filter((k) => sectionOf(k) !== SYSTEM_SECTION).length})`;
  }

  // ---------------------------------------------------------------- panels

  private panelKeys(): string[] {
    return this.ctx.state.panels ?? this.ctx.keys.metricKeys();
  }

  /** Makes a panel per chosen key (and drops the others), laid out in sections. */
  syncPanels(): void {
    const keys = this.panelKeys();
    const wanted = new Set(keys);
    for (const [k, p] of this.panels) {
      if (wanted.has(k)) continue;
      p.dispose();
      p.el.remove();
      this.panels.delete(k);
    }
    for (const k of keys) {
      if (this.panels.has(k)) continue;
      const p = new LinePanel(k, this.host, this.ctx.state.log.includes(k));
      p.applyLayout(this.layoutOf(k));
      this.panels.set(k, p);
    }
    this.laidOut = groupSections(keys, this.ctx.state.order);
    this.sections.render(this.laidOut, (k) => this.panels.get(k)!.el, keys.length ? null : this.ctx.project ? 'No metrics logged yet.' : '');
    this.title.textContent = `(${keys.filter((k) => sectionOf(k) !== SYSTEM_SECTION).length})`;
  }

  /** Sections opened or closed (by a link, back or forward). */
  syncSections(): void {
    this.sections.syncOpen();
  }

  /** Sizes, y bounds or legends changed in the state. */
  applyLayouts(): void {
    for (const [k, p] of this.panels) p.applyLayout(this.layoutOf(k));
  }

  private layoutOf(key: string): PanelLayout {
    const s = this.ctx.state;
    return { size: s.sizes[key] ?? 'm', yRange: s.yRange[key] ?? null, legend: s.legend.includes(key) };
  }

  private setLayout(key: string, patch: Partial<PanelLayout>): void {
    const s = this.ctx.state;
    const next: Partial<typeof s> = {};
    if (patch.size !== undefined) {
      const sizes = { ...s.sizes };
      if (patch.size === 'm') delete sizes[key];
      else sizes[key] = patch.size;
      next.sizes = sizes;
    }
    if (patch.yRange !== undefined) {
      const yRange = { ...s.yRange };
      if (patch.yRange) yRange[key] = patch.yRange;
      else delete yRange[key];
      next.yRange = yRange;
    }
    if (patch.legend !== undefined) next.legend = patch.legend ? [...s.legend.filter((k) => k !== key), key] : s.legend.filter((k) => k !== key);
    this.ctx.setState(next);
  }

  private sectionKeys(key: string): string[] {
    return this.laidOut.find((s) => s.keys.includes(key))?.keys ?? [];
  }

  private moveTo(key: string, sectionKeys: string[], index: number): void {
    if (index < 0 || index >= sectionKeys.length || sectionKeys[index] === key) return;
    this.ctx.setState({ order: moveKey(this.ctx.state.order, sectionKeys, key, index) });
  }

  /** The runs drawn as lines: the first `max` of the table's runs shown in charts. */
  chartRuns(): Run[] {
    const out: Run[] = [];
    for (const r of this.ctx.runs) {
      if (!isVisible(this.ctx.state, r.runId)) continue;
      out.push(r);
      if (out.length >= this.ctx.state.max) break;
    }
    return out;
  }

  private needsData(p: LinePanel): boolean {
    if (this.ctx.state.group) return p.groups === null || p.groupsStale;
    return this.chartRuns().some((r) => !p.data.has(r.runId) || p.stale.has(r.runId));
  }

  /** Redraws every panel in view and loads what they lack; `reset` forgets loaded data (the x axis or grouping changed). */
  refresh(reset: boolean, runsReloaded = false): void {
    if (reset) {
      this.gen++;
      for (const p of this.panels.values()) {
        p.data.clear();
        p.stale.clear();
        p.groups = null;
      }
    }
    if (runsReloaded) for (const p of this.panels.values()) p.groupsStale = true;
    for (const p of this.panels.values()) {
      if (!p.visible) continue;
      this.renderPanel(p);
      if (this.needsData(p)) this.request(p);
    }
  }

  /** Redraws from the data at hand (smoothing, log axes). */
  render(): void {
    for (const p of this.panels.values()) if (p.visible) this.renderPanel(p);
  }

  /** A run logged more: its lines are stale (reloaded by the next refresh). */
  runMoved(runId: string): void {
    for (const p of this.panels.values()) {
      p.stale.add(runId);
      p.groupsStale = true;
    }
  }

  /** Live events come fast: charts reload at most every 1.5 s. */
  scheduleRefresh(): void {
    if (this.chartTimer) return;
    this.chartTimer = this.ctx.later(() => {
      this.chartTimer = undefined;
      this.refresh(false);
    }, 1500);
  }

  /**
   * The panel's x axis: the chosen one, except that with the step chosen a metric whose definition
   * (define_metric, in the first run that has one) names a step metric is drawn against that.
   */
  private panelX(metric: string): string {
    // Grouped history has no relative time (runs start at different times): groups are drawn over time.
    if (this.ctx.state.x === RUNTIME && this.ctx.state.group) return '_timestamp';
    if (this.ctx.state.x !== '_step') return this.ctx.state.x;
    for (const run of this.ctx.runs) {
      const x = definitionFor(run.metricDefinitions, metric)?.stepMetric;
      if (x && x !== metric) return x;
    }
    return '_step';
  }

  private renderPanel(p: LinePanel): void {
    const s = this.ctx.state;
    const common = { xKey: this.panelX(p.metric), log: s.log.includes(p.metric), smoothing: s.smooth };
    if (s.group) {
      p.render({ ...common, groups: (p.groups ?? []).map((g) => this.withBand(g)) });
      p.setNote(p.groups ? `${p.groups.length} group${p.groups.length === 1 ? '' : 's'}` : '');
      return;
    }
    const runs = this.chartRuns();
    p.render({ ...common, runs: runs.map((r) => ({ id: r.runId, name: runName(r), color: this.ctx.runColors.get(r.runId), series: p.data.get(r.runId) ?? undefined })) });
    const withData = runs.filter((r) => p.data.get(r.runId)?.x.length).length;
    p.setNote(runs.length ? `${withData} run${withData === 1 ? '' : 's'}` : 'no runs shown');
  }

  /** The group with the chosen band as its lower and upper edges (none: no edges, so no band is drawn). */
  private withBand(g: GroupLine): GroupLine {
    const band = bandOf(g, this.ctx.state.band);
    const none = g.mean.map(() => null);
    return { ...g, min: band?.lower ?? none, max: band?.upper ?? none };
  }

  // ---------------------------------------------------------------- data

  /** Panels asking for data in the same moment share calls (several keys per call). */
  private request(p: LinePanel): void {
    this.queue.add(p);
    if (this.flushTimer) return;
    this.flushTimer = this.ctx.later(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, 16);
  }

  private async flush(): Promise<void> {
    const panels = [...this.queue].filter((p) => this.panels.get(p.metric) === p);
    this.queue.clear();
    if (this.ctx.state.group) {
      await Promise.all(panels.map((p) => this.loadGrouped(p)));
      return;
    }
    const ids = this.chartRuns().map((r) => r.runId);
    const byNeed = new Map<string, { ids: string[]; x: string; panels: LinePanel[] }>();
    for (const p of panels) {
      const need = ids.filter((id) => !p.data.has(id) || p.stale.has(id));
      if (!need.length) continue;
      const x = this.panelX(p.metric);
      const key = `${x}\n${need.join(',')}`;
      let entry = byNeed.get(key);
      if (!entry) byNeed.set(key, (entry = { ids: need, x, panels: [] }));
      entry.panels.push(p);
    }
    const gen = this.gen;
    const current = () => gen === this.gen && !this.ctx.disposed;
    const calls: Promise<void>[] = [];
    for (const { ids: need, x, panels: ps } of byNeed.values()) {
      for (let i = 0; i < ps.length; i += KEYS_PER_CALL) {
        const chunk = ps.slice(i, i + KEYS_PER_CALL);
        for (const p of chunk) {
          for (const id of need) p.stale.delete(id);
          p.loading = true;
          if (!p.data.size) p.chart.showLoading(true);
        }
        calls.push((async () => {
          try {
            // Relative time is the time since each run's start: asked for as time, then shifted.
            const res = await api.multiHistory(this.ctx.name, need, chunk.map((p) => p.metric), SAMPLES, x === RUNTIME ? '_timestamp' : x);
            if (!current()) return;
            for (const p of chunk) for (const id of need) p.data.set(id, this.asX(res.runs[id]?.[p.metric] ?? null, id, x));
          } catch (e) {
            if (!current()) return;
            for (const p of chunk) p.setNote(`error: ${(e as Error).message}`);
            for (const p of chunk) for (const id of need) if (!p.data.has(id)) p.data.set(id, null);
          } finally {
            for (const p of chunk) {
              p.loading = false;
              p.chart.showLoading(false);
              if (current()) this.renderPanel(p);
            }
          }
        })());
      }
    }
    await Promise.all(calls);
  }

  private asX(series: SampledSeries | null, runId: string, x: string): SampledSeries | null {
    if (!series || x !== RUNTIME) return series;
    const run = this.ctx.runs.find((r) => r.runId === runId);
    const start = runStartSeconds(run?.createdAt) ?? series.x[0] ?? 0;
    return relativeTo(series, start);
  }

  private async loadGrouped(p: LinePanel): Promise<void> {
    p.groupsStale = false;
    const gen = this.gen;
    const s = this.ctx.state;
    if (!p.groups) p.chart.showLoading(true);
    try {
      const res = await api.grouped(this.ctx.name, { key: p.metric, groupBy: s.group, samples: SAMPLES, x: this.panelX(p.metric), filters: chartFilter(s) });
      if (gen !== this.gen || this.ctx.disposed || this.ctx.state.group !== s.group) return;
      p.groups = res.groups.map((g) => ({ ...g, value: String(g.value), color: this.ctx.groupColors.get(String(g.value)) }));
    } catch (e) {
      p.setNote(`error: ${(e as Error).message}`);
      p.groups = p.groups ?? [];
    } finally {
      p.chart.showLoading(false);
      if (gen === this.gen && !this.ctx.disposed) this.renderPanel(p);
    }
  }
}
