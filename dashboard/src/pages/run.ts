// A run: overview, notes, tags, config, summary, artifacts it produced and used, a chart of every
// metric it logged and its media (runMedia.ts), following its event stream while it runs.

import { api, eventsUrl, isOlder, runName, type ArtifactRef, type Run } from '../api';
import { errorBox, loadingBox, setCrumbs, stateBadge, toast, type Page } from '../app';
import { h, mount, rafThrottle, select, debounce } from '../dom';
import { colorFor } from '../lib/colors';
import { byStepMetric } from '../lib/definitions';
import { appendRows, rowKeys, type Row, type SampledHistory } from '../lib/series';
import { flatten, formatDuration, formatNumber, formatTime, formatValue } from '../lib/values';
import { LiveFeed } from '../live';
import { LinePanel } from '../panels/linePanel';
import { href } from '../router';
import { tagEditor, textEditor } from '../widgets';
import { RunLogs } from './runLogs';
import { RunAudit } from './runAudit';
import { RunLineage } from './runLineage';
import { RunMedia } from './runMedia';
import { environmentCard, failureCard } from './runStory';

const SAMPLES = 1000;

export function runPage(project: string, runId: string): Page {
  setCrumbs([['Projects', '#/'], [project, href.workspace(project)], [runId]]);
  const el = h('div', { class: 'page run-page' }, loadingBox('Loading run…'));
  const page = new RunView(project, runId, el);
  return { el, dispose: () => page.dispose() };
}

class RunView {
  private run: Run | null = null;
  private history: SampledHistory = { x: '_step', series: {} };
  /** Metrics whose definitions name a step metric, charted against it while the x axis is the step. */
  private againstStepMetric = new Map<string, { x: string; series: SampledHistory['series'][string] }>();
  private x = '_step';
  private smooth = 0;
  private readonly panels = new Map<string, LinePanel>();
  private live: LiveFeed | null = null;
  private disposed = false;
  private editingNotes = false;
  private editingTags = false;

  private readonly title = h('h1');
  private readonly failure = h('div');
  private logs: RunLogs | null = null;
  private media: RunMedia | null = null;
  private lineage: RunLineage | null = null;
  private readonly stateSlot = h('span');
  private readonly overview = h('table', { class: 'kv' });
  private readonly notes = h('div', { class: 'notes' });
  private readonly tags = h('div', { class: 'tags-box' });
  private readonly config = h('div');
  private readonly summary = h('div');
  private readonly artifacts = h('div', { class: 'run-artifacts' });
  private readonly rejected = h('div');
  private readonly grid = h('div', { class: 'panel-grid line-grid' });
  /** System metrics (the SDKs' CPU, memory, disk, network and GPU samples) have their own section. */
  private readonly systemGrid = h('div', { class: 'panel-grid line-grid' });
  private readonly systemSection = h('section', { class: 'run-charts run-system', 'data-section': 'system', hidden: true });
  private readonly controls = h('div', { class: 'panel-controls' });
  private readonly chartCount = h('span');

  constructor(readonly project: string, readonly runId: string, readonly el: HTMLElement) {
    void this.init();
  }

  dispose(): void {
    this.disposed = true;
    this.live?.stop();
    this.logs?.stop();
    this.media?.dispose();
    for (const p of this.panels.values()) p.dispose();
  }

  private async init(): Promise<void> {
    try {
      this.run = await api.run(this.project, this.runId);
    } catch (e) {
      mount(this.el, errorBox(e));
      return;
    }
    if (this.disposed) return;
    setCrumbs([['Projects', '#/'], [this.project, href.workspace(this.project)], [runName(this.run)]]);
    this.layout();
    this.renderRun();
    this.renderArtifacts();
    // Listen first; rows that arrive while the history loads are held and added after it.
    this.live = new LiveFeed({
      url: () => eventsUrl(this.project, this.runId),
      events: {
        history: (rows) => this.onRows(rows as Row[]),
        run: (run) => this.onRun(run as Run),
      },
      poll: () => this.poll(),
    }).start();
    await this.loadHistory();
  }

  private loadingHistory = false;
  private held: Row[][] = [];

  private layout(): void {
    const run = this.run!;
    const applySmooth = debounce((v: number) => {
      this.smooth = v;
      this.renderPanels();
    }, 50);
    const smoothLabel = h('span', { class: 'smooth-value' }, 'off');
    const slider = h('input', {
      type: 'range', min: 0, max: 0.99, step: 0.01, value: '0', 'aria-label': 'Smoothing',
      oninput: () => {
        smoothLabel.textContent = Number(slider.value) ? Number(slider.value).toFixed(2) : 'off';
        applySmooth(Number(slider.value));
      },
    });
    this.controlsSmoothing = h('label', { class: 'inline-label smoothing' }, 'Smoothing', slider, smoothLabel);
    this.logs = new RunLogs(this.project, this.runId);
    this.media = new RunMedia(this.project, { id: run.runId, name: runName(run), color: colorFor(run.runId) });
    this.lineage = new RunLineage(this.project, run, () => this.renderPanels());
    const overview = h('div', { class: 'run-body' },
      h('div', { class: 'run-info' },
        this.failure,
        card('Overview', this.overview),
        this.lineage.el,
        card('Notes', this.notes, 'notes'),
        card('Tags', this.tags, 'tags'),
        card('Config', this.config, 'config'),
        card('Summary', this.summary, 'summary'),
        card('Artifacts', this.artifacts, 'artifacts'),
        environmentCard(this.project, this.runId),
        this.rejected),
      h('div', { class: 'run-sections' },
        h('section', { class: 'run-charts', 'data-section': 'charts' },
          h('div', { class: 'section-head sticky-controls' }, h('h2', null, 'Charts ', this.chartCount), this.controls),
          this.grid),
        this.media.el,
        this.systemSection));
    mount(this.systemSection, h('div', { class: 'section-head' }, h('h2', null, 'System')), this.systemGrid);
    const audit = new RunAudit(this.project, this.runId);
    const bodies = { overview, logs: this.logs.el, audit: audit.el };
    const tabs = h('div', { class: 'run-tabs', role: 'tablist' });
    const show = (tab: keyof typeof bodies) => {
      for (const [name, body] of Object.entries(bodies)) body.hidden = name !== tab;
      for (const b of tabs.children) b.setAttribute('aria-selected', String(b.getAttribute('data-tab') === tab));
      if (tab === 'logs') void this.logs?.start();
      if (tab === 'audit') void audit.load();
    };
    tabs.append(...(['overview', 'logs', 'audit'] as const).map((tab) =>
      h('button', { class: 'run-tab', role: 'tab', 'data-tab': tab, onclick: () => show(tab) }, tab[0].toUpperCase() + tab.slice(1))));
    show('overview');
    mount(this.el,
      h('div', { class: 'run-head' },
        h('span', { class: 'swatch swatch-lg', style: `background:${colorFor(run.runId)}` }),
        this.title,
        h('button', { class: 'btn btn-xs', title: 'Rename the run', 'data-testid': 'rename', onclick: () => this.rename() }, 'Rename'),
        this.stateSlot,
        h('code', { class: 'muted run-id', title: 'Run id' }, run.runId),
        h('span', { class: 'spacer' }),
        h('a', { class: 'btn btn-sm', href: href.workspace(this.project) }, '← Workspace')),
      tabs, overview, bodies.logs, audit.el);
  }

  private rename(): void {
    const editor = textEditor(runName(this.run!), (name) => {
      if (name.trim() && name !== runName(this.run!)) void this.save({ name: name.trim() });
      else this.renderRun();
    }, () => this.renderRun());
    mount(this.title, editor);
    editor.focus();
  }

  private controlsSmoothing: HTMLElement | null = null;

  private renderControls(): void {
    const keys = Object.keys(this.history.series).sort();
    const xs: [string, string][] = [['_step', 'Step'], ['_timestamp', 'Time'], ...keys.map((k): [string, string] => [k, k])];
    mount(this.controls,
      h('label', { class: 'inline-label' }, 'X axis', select(xs, this.x, (v) => {
        this.x = v;
        void this.loadHistory();
      }, { class: 'select select-sm', 'aria-label': 'X axis' })),
      this.controlsSmoothing);
  }

  private renderRun(): void {
    const run = this.run!;
    this.title.textContent = runName(run);
    mount(this.stateSlot, stateBadge(run.state));
    // Its old address still answers a run that moved or was deleted: say so before anything else.
    const gone = run.movedTo
      ? h('div', { class: 'notice', 'data-notice': 'moved' }, 'This run moved to project ', h('a', { href: href.run(run.movedTo, run.runId) }, run.movedTo), '; its history goes on there.')
      : run.deletedAt ? h('div', { class: 'notice', 'data-notice': 'deleted' }, `This run was deleted on ${new Date(run.deletedAt).toLocaleString()}; it is out of the project's lists until restored.`) : null;
    mount(this.failure, gone, failureCard(run.failure));
    const end = run.finishedAt ?? (run.state === 'running' ? new Date().toISOString() : run.updatedAt);
    const runtime = end ? (new Date(end).getTime() - new Date(run.createdAt).getTime()) / 1000 : NaN;
    const rows: [string, Node | string][] = [
      ['Run id', h('code', null, run.runId)],
      ['State', stateBadge(run.state)],
      ['Created', formatTime(run.createdAt)],
      ['Finished', formatTime(run.finishedAt)],
      ['Runtime', formatDuration(runtime)],
      ['Steps', run.lastStep === null || run.lastStep === undefined ? '' : formatNumber(run.lastStep + 1)],
      ['Exit code', run.exitCode === null || run.exitCode === undefined ? '' : String(run.exitCode)],
      ['Group', run.group ?? ''],
      ['Job type', run.jobType ?? ''],
      ['Updated', formatTime(run.updatedAt)],
    ];
    mount(this.overview, h('tbody', null, rows.filter(([, v]) => v !== '').map(([k, v]) => h('tr', null, h('th', null, k), h('td', { 'data-field': k }, v)))));
    if (!this.editingNotes) this.renderNotes();
    if (!this.editingTags) this.renderTags();
    mount(this.config, kvTable(flatten(run.config ?? {}), 'No config.'));
    mount(this.summary, kvTable(run.summary ?? {}, 'Nothing logged yet.', true));
    const rejected = run.rejectedFrames ?? [];
    mount(this.rejected, rejected.length ? card(`Rejected frames (${rejected.length})`,
      h('pre', { class: 'rejected' }, rejected.slice(0, 50).map((r) => JSON.stringify(r)).join('\n'))) : null);
  }

  private renderNotes(): void {
    const run = this.run!;
    mount(this.notes,
      h('div', { class: `notes-text${run.notes ? '' : ' muted'}` }, run.notes || 'No notes.'),
      h('button', {
        class: 'btn btn-xs', onclick: () => {
          this.editingNotes = true;
          const editor = textEditor(run.notes ?? '', (notes) => void this.save({ notes }), () => {
            this.editingNotes = false;
            this.renderNotes();
          }, true);
          mount(this.notes, editor, h('div', { class: 'muted small' }, 'Ctrl+Enter or click away to save, Esc to cancel'));
          editor.focus();
        },
      }, 'Edit'));
  }

  private renderTags(): void {
    const run = this.run!;
    mount(this.tags,
      h('span', { class: 'tags' }, (run.tags ?? []).length ? run.tags.map((t) => h('span', { class: 'tag' }, t)) : h('span', { class: 'muted' }, 'No tags.')),
      h('button', {
        class: 'btn btn-xs', onclick: () => {
          this.editingTags = true;
          const editor = tagEditor(run.tags ?? [], (tags) => void this.save({ tags }), () => {
            this.editingTags = false;
            this.renderTags();
          });
          mount(this.tags, editor);
          editor.querySelector('input')?.focus();
        },
      }, 'Edit'));
  }

  private async save(edit: { tags?: string[]; notes?: string; name?: string }): Promise<void> {
    const before = this.run!;
    this.run = { ...before, ...edit };
    this.editingNotes = false;
    this.editingTags = false;
    this.renderRun();
    try {
      await api.patchRun(this.project, this.runId, edit);
      toast('Saved');
    } catch (e) {
      this.run = before;
      this.renderRun();
      toast(`Could not save: ${(e as Error).message}`, 'error');
    }
  }

  private renderArtifacts(): void {
    const run = this.run!;
    const logged: ArtifactRef[] = run.artifactsLogged ?? [];
    const used: ArtifactRef[] = run.artifactsUsed ?? [];
    const list = (refs: ArtifactRef[]) => refs.length
      ? h('ul', { class: 'artifact-list' }, refs.map((a) => h('li', null,
        h('a', { href: href.artifact(this.project, a.name, a.version) }, `${a.name}:${a.version}`),
        a.digest ? h('code', { class: 'muted small' }, ` ${a.digest.slice(0, 12)}`) : null)))
      : h('div', { class: 'muted' }, 'None.');
    mount(this.artifacts,
      h('div', { class: 'artifact-col', 'data-artifacts': 'produced' }, h('h4', null, 'Produced'), list(logged)),
      h('div', { class: 'artifact-col', 'data-artifacts': 'used' }, h('h4', null, 'Used'), list(used)));
  }

  private async loadHistory(): Promise<void> {
    this.loadingHistory = true;
    try {
      this.history = await api.history(this.project, this.runId, { keys: null, samples: SAMPLES, x: this.x });
      this.againstStepMetric = await this.loadStepMetricHistories();
    } catch (e) {
      mount(this.grid, errorBox(e));
      return;
    } finally {
      this.loadingHistory = false;
    }
    if (this.disposed) return;
    this.renderControls();
    this.syncPanels();
    const held = this.held;
    this.held = [];
    for (const rows of held) this.onRows(rows);
    this.renderPanels();
  }

  /** With the step as x axis, a metric defined with a step metric (define_metric) is charted against that instead. */
  private async loadStepMetricHistories(): Promise<Map<string, { x: string; series: SampledHistory['series'][string] }>> {
    const charted = new Map<string, { x: string; series: SampledHistory['series'][string] }>();
    if (this.x !== '_step') return charted;
    for (const [x, keys] of byStepMetric(this.run?.metricDefinitions, Object.keys(this.history.series))) {
      if (!this.history.series[x]) continue;
      const history = await api.history(this.project, this.runId, { keys, samples: SAMPLES, x });
      for (const key of keys) if (history.series[key]) charted.set(key, { x, series: history.series[key] });
    }
    return charted;
  }

  private syncPanels(): void {
    const keys = Object.keys(this.history.series).filter((k) => k !== this.x).sort();
    for (const k of keys) {
      if (this.panels.has(k)) continue;
      this.panels.set(k, new LinePanel(k, { onVisible: (p) => this.renderPanel(p) }));
    }
    const system = keys.filter(isSystemKey);
    const metrics = keys.filter((k) => !isSystemKey(k));
    showPanels(this.grid, metrics.map((k) => this.panels.get(k)!.el));
    showPanels(this.systemGrid, system.map((k) => this.panels.get(k)!.el));
    if (!metrics.length) this.grid.replaceChildren(h('div', { class: 'empty' }, 'No metrics logged yet.'));
    this.systemSection.hidden = !system.length;
    this.chartCount.textContent = `(${metrics.length})`;
  }

  private renderPanel(p: LinePanel): void {
    const run = this.run!;
    const against = this.againstStepMetric.get(p.metric);
    const series = against?.series ?? this.history.series[p.metric];
    const xKey = against?.x ?? this.x;
    p.render({
      xKey, log: false, smoothing: this.smooth, marks: this.lineage?.marks(xKey),
      runs: [{ id: run.runId, name: runName(run), color: colorFor(run.runId), series }],
    });
    p.setNote(series ? `${formatValue(series.count ?? series.x.length)} points` : '');
  }

  private renderPanels = rafThrottle(() => {
    for (const p of this.panels.values()) if (p.visible) this.renderPanel(p);
  });

  private onRows(rows: Row[]): void {
    if (!Array.isArray(rows) || !rows.length) return;
    this.media?.runChanged();
    if (this.loadingHistory) {
      this.held.push(rows);
      return;
    }
    let added = false;
    for (const key of rowKeys(rows)) {
      if (key === this.x) continue;
      let s = this.history.series[key];
      if (!s) {
        s = this.history.series[key] = { x: [], min: [], max: [], last: [], count: 0 };
        added = true;
      }
      appendRows(s, rows, key, this.x);
      const against = this.againstStepMetric.get(key);
      if (against?.series) appendRows(against.series, rows, key, against.x);
    }
    if (added) {
      this.renderControls();
      this.syncPanels();
    }
    this.renderPanels();
  }

  private onRun(run: Run): void {
    if (!run || run.runId !== this.runId || (this.run && isOlder(run, this.run))) return;
    // A rewind superseded points the charts hold: live updates only add rows, so the history is read again.
    const rewound = (run.rewinds?.length ?? 0) > (this.run?.rewinds?.length ?? 0);
    this.run = { ...this.run!, ...run };
    this.media?.runChanged();
    this.media?.setName(runName(this.run));
    this.lineage?.setRun(this.run);
    this.renderRun();
    if (rewound) void this.loadHistory();
  }

  private async poll(): Promise<void> {
    try {
      const run = await api.run(this.project, this.runId);
      const moved = run.lastStep !== this.run?.lastStep;
      this.onRun(run);
      if (moved) await this.loadHistory();
    } catch { /* keep polling */ }
  }
}

function isSystemKey(key: string): boolean {
  return key.startsWith('system/');
}

function showPanels(grid: HTMLElement, els: HTMLElement[]): void {
  const current = [...grid.children];
  if (current.length !== els.length || current.some((c, i) => c !== els[i])) grid.replaceChildren(...els);
}

function card(title: string, body: HTMLElement, id?: string): HTMLElement {
  return h('section', { class: 'card info-card', 'data-card': id ?? title.toLowerCase() }, h('h3', null, title), body);
}

function kvTable(obj: Record<string, unknown>, empty: string, numbers = false): HTMLElement {
  const entries = Object.entries(obj).sort((a, b) => a[0].localeCompare(b[0]));
  if (!entries.length) return h('div', { class: 'muted' }, empty);
  return h('table', { class: 'kv' }, h('tbody', null, entries.map(([k, v]) =>
    h('tr', null, h('th', { title: k }, k), h('td', { class: numbers ? 'num' : '', 'data-key': k }, numbers ? formatNumber(v) : formatValue(v))))));
}
