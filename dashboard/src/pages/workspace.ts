// A project's workspace: the runs table on the left (filter, sort, group, show/hide in charts,
// edit tags and notes), panels on the right (parallel coordinates, parameter importance, a line
// chart per metric). Everything about the view is in the URL; runs and charts follow live events.

import { api, eventsUrl, isOlder, ApiError, runName, type Project, type Run } from '../api';
import { errorBox, loadingBox, setCrumbs, stateBadge, toast, type Page } from '../app';
import { LazyChart } from '../charts';
import { h, icon, mount, select, debounce } from '../dom';
import { ColorBook } from '../lib/colors';
import { definitionFor } from '../lib/definitions';
import { configValue, fieldValue, groupValue, matchesFilter, parseFilter, runComparator, type Filter } from '../lib/filters';
import { importanceOption, parallelOption } from '../lib/chartOptions';
import {
  chartFilter, decodeState, encodeState, isVisible, MAX_CHART_RUNS, queryString, tableFilter, toggleVisible, type WorkspaceState,
} from '../lib/urlState';
import { formatAgo, formatNumber, formatTime, formatValue } from '../lib/values';
import { LiveFeed } from '../live';
import { LinePanel } from '../panels/linePanel';
import { RunsTable, type Column, type TableRow } from '../panels/runsTable';
import { href, replaceQuery, type Location } from '../router';
import { chooser, popover, tagEditor, textEditor } from '../widgets';

const SAMPLES = 400;
const KEYS_PER_CALL = 4;
const STATES = ['running', 'finished', 'failed', 'crashed'];
const DEFAULT_COLUMNS_EACH = 6;
/** above this many config and summary keys, runs are fetched with only the columns in use */
const COLUMNS_THRESHOLD = 40;

function naturalCompare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a.localeCompare(b, undefined, { numeric: true });
}

export class WorkspacePage implements Page {
  readonly el: HTMLElement;
  private state: WorkspaceState;
  private project: Project | null = null;
  private runs: Run[] = [];
  private total = 0;
  private runsError: string | null = null;
  private loadingRuns = false;
  private runsAbort: AbortController | null = null;
  private fetchedColumns: Set<string> | null = null;
  private readonly table: RunsTable;
  private readonly panels = new Map<string, LinePanel>();
  private readonly collapsed = new Set<string>();
  private readonly knownTags = new Map<string, number>();
  private readonly extraMetricKeys = new Set<string>();
  private readonly runColors = new ColorBook();
  private readonly groupColors = new ColorBook();
  private readonly pendingEdits = new Map<string, { edit: Partial<Run>; until: number }>();
  private live: LiveFeed | null = null;
  private chartGen = 0;
  private disposed = false;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  // elements kept to update in place
  private readonly body: HTMLElement;
  private readonly headInfo = h('div', { class: 'ws-counts' });
  private readonly search: HTMLInputElement;
  private readonly chips = h('div', { class: 'chips' });
  private readonly filterBox = h('div', { class: 'filter-box', hidden: true });
  private readonly filterText: HTMLTextAreaElement;
  private readonly filterError = h('div', { class: 'form-error', role: 'alert' });
  private readonly queryView = h('code', { class: 'query-view' });
  private readonly filterBtn: HTMLButtonElement;
  private readonly groupSlot = h('span');
  private readonly tableCount = h('div', { class: 'table-count' });
  private readonly tableStatus = h('div', { class: 'table-status' });
  private readonly chartControls = h('div', { class: 'panel-controls' });
  private readonly panelGrid = h('div', { class: 'panel-grid line-grid' });
  /** System metrics (system/...) in a section of their own, closed until asked for. */
  private readonly systemGrid = h('div', { class: 'panel-grid line-grid' });
  private readonly systemTitle = h('summary', { class: 'section-head' }, 'System');
  private readonly systemSection = h('details', { class: 'ws-system', 'data-section': 'system', hidden: true }, this.systemTitle, this.systemGrid);
  private readonly chartsTitle = h('span');
  private readonly parallelChart: LazyChart;
  private readonly importanceChart: LazyChart;
  private readonly parallelNote = h('span', { class: 'panel-note' });
  private readonly importanceNote = h('span', { class: 'panel-note' });
  private readonly parallelControls = h('span', { class: 'panel-tools' });
  private readonly importanceControls = h('span', { class: 'panel-tools' });

  constructor(readonly name: string, params: URLSearchParams) {
    this.state = decodeState(params);
    setCrumbs([['Projects', '#/'], [name]]);

    this.table = new RunsTable({
      onSort: (field) => this.setState({ sort: this.state.sort === `-${field}` ? field : `-${field}` }),
      sortOrder: () => this.state.sort,
      onToggleVisible: (id) => this.setState(toggleVisible(this.state, id)),
      onToggleGroup: (value) => {
        if (this.collapsed.has(value)) this.collapsed.delete(value);
        else this.collapsed.add(value);
        this.rebuildRows();
      },
    });

    const applySearch = debounce((v: string) => this.setState({ q: v }), 300);
    this.search = h('input', {
      type: 'search', class: 'input search', placeholder: 'Search runs by name or id', value: this.state.q, 'aria-label': 'Search runs',
      oninput: () => applySearch(this.search.value),
      onkeydown: (e: KeyboardEvent) => {
        if (e.key === 'Enter') {
          applySearch.cancel();
          this.setState({ q: this.search.value });
        }
      },
    });
    this.filterText = h('textarea', {
      class: 'filter-json', rows: 4, spellcheck: 'false', 'aria-label': 'Filter (JSON)',
      placeholder: '{"config.learning_rate": {"$lt": 0.1}, "summary.accuracy": {"$gt": 0.9}}',
      onkeydown: (e: KeyboardEvent) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) this.applyFilterText();
      },
    });
    this.filterText.value = this.state.filter;
    this.filterBox.hidden = !this.state.filter;
    this.filterBtn = h('button', {
      class: 'btn btn-sm', title: 'Filter with the JSON filter language',
      onclick: () => {
        this.filterBox.hidden = !this.filterBox.hidden;
        if (!this.filterBox.hidden) this.filterText.focus();
      },
    }, icon('filter'), 'Filter');
    this.buildFilterBox();

    const runsPane = h('aside', { class: 'ws-runs' },
      h('div', { class: 'ws-filterbar' },
        h('div', { class: 'row' }, this.search, this.filterBtn,
          h('button', { class: 'btn btn-sm', title: 'Columns of the table', onclick: (e: Event) => this.openColumns(e.currentTarget as HTMLElement) }, 'Columns'),
          this.groupSlot),
        this.chips,
        this.filterBox),
      h('div', { class: 'table-bar' }, this.tableCount,
        h('span', { class: 'spacer' }),
        h('button', { class: 'btn btn-xs', title: 'Show every run in the charts', onclick: () => this.setState({ hidden: [], only: null }) }, icon('eye'), 'All'),
        h('button', { class: 'btn btn-xs', title: 'Hide every run from the charts (then pick some with their eye)', onclick: () => this.setState({ hidden: [], only: [] }) }, icon('eye-off'), 'None'),
        h('button', {
          class: 'btn btn-xs', title: 'Show only the first runs of the table in the charts',
          onclick: () => this.setState({ hidden: [], only: this.runs.slice(0, this.state.max).map((r) => r.runId) }),
        }, 'Top')),
      this.tableStatus,
      this.table.el);

    this.parallelChart = new LazyChart(h('div', { class: 'chart chart-tall', 'data-panel-chart': 'parallel' }), () => void this.loadParallel());
    this.importanceChart = new LazyChart(h('div', { class: 'chart chart-tall', 'data-panel-chart': 'importance' }), () => void this.loadImportance());

    const resizer = h('div', { class: 'ws-resizer', title: 'Drag to resize', role: 'separator' });
    this.body = h('div', { class: 'ws-body' }, runsPane, resizer,
      h('section', { class: 'ws-panels' },
        h('div', { class: 'section-head' }, h('h2', null, 'Compare'), h('span', { class: 'muted' }, 'runs shown in charts')),
        h('div', { class: 'panel-grid compare-grid' },
          h('div', { class: 'panel panel-wide', 'data-panel': 'parallel' },
            h('div', { class: 'panel-head' }, h('span', { class: 'panel-title' }, 'Parallel coordinates'), this.parallelNote, this.parallelControls),
            this.parallelChart.el),
          h('div', { class: 'panel', 'data-panel': 'importance' },
            h('div', { class: 'panel-head' }, h('span', { class: 'panel-title' }, 'Parameter importance'), this.importanceNote, this.importanceControls),
            this.importanceChart.el)),
        h('div', { class: 'section-head sticky-controls' }, h('h2', null, 'Charts ', this.chartsTitle), this.chartControls),
        this.panelGrid,
        this.systemSection));
    this.makeResizable(resizer);

    this.el = h('div', { class: 'page workspace' },
      h('div', { class: 'ws-head' },
        h('h1', null, name),
        this.headInfo,
        h('nav', { class: 'tabs' },
          h('a', { class: 'tab active', href: href.workspace(name) }, 'Workspace'),
          h('a', { class: 'tab', href: href.artifacts(name) }, 'Artifacts')),
        h('span', { class: 'spacer' }),
        h('button', {
          class: 'btn btn-sm', title: 'Copy a link to this view (filters, sort, grouping, panels)',
          onclick: () => {
            void navigator.clipboard?.writeText(location.href).then(() => toast('Link copied'), () => toast(location.href));
          },
        }, 'Copy link'),
        h('button', {
          class: 'btn btn-sm', title: 'Widen the runs table (hide the panels) or back',
          onclick: () => this.body.classList.toggle('table-expanded'),
        }, 'Expand table')),
      this.body);

    this.table.setColumns(this.columns());
    this.renderControls();
    mount(this.tableStatus, loadingBox('Loading runs…'));
    void this.init();
  }

  // ---------------------------------------------------------------- lifecycle

  private async init(): Promise<void> {
    let waiting: HTMLElement | null = null;
    while (!this.project) {
      try {
        this.project = await api.project(this.name);
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) {
          mount(this.body, errorBox(e));
          return;
        }
        // Not there (yet): a project appears with its first run, so keep looking.
        if (!waiting) {
          waiting = h('div', { class: 'empty-page' },
            h('h2', null, `No project '${this.name}' yet`),
            h('p', { class: 'muted' }, 'It appears with its first run; this page keeps looking.'),
            h('p', null, h('a', { href: '#/' }, 'All projects')));
          this.body.hidden = true;
          this.body.after(waiting);
        }
        await new Promise<void>((r) => this.later(r, 2000));
        if (this.disposed) return;
      }
    }
    waiting?.remove();
    this.body.hidden = false;
    this.table.setColumns(this.columns());
    this.renderControls();
    this.syncPanels();
    // Listen first, so nothing that happens while the runs load is missed (events are held meanwhile).
    this.live = new LiveFeed({
      url: () => eventsUrl(this.name),
      events: { run: (data) => this.onRunEvent(data as Run) },
      poll: () => this.poll(),
    }).start();
    await this.loadRuns();
  }

  update(loc: Location): boolean {
    const next = decodeState(loc.params);
    if (queryString(encodeState(next)) === queryString(encodeState(this.state))) return true;
    this.apply(next, false);
    return true;
  }

  dispose(): void {
    this.disposed = true;
    this.live?.stop();
    this.runsAbort?.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const p of this.panels.values()) p.dispose();
    this.parallelChart.dispose();
    this.importanceChart.dispose();
  }

  /** setTimeout, cancelled when the page goes. */
  private later(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.disposed) fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  // ---------------------------------------------------------------- state

  private setState(patch: Partial<WorkspaceState>): void {
    this.apply({ ...this.state, ...patch }, true);
  }

  private apply(next: WorkspaceState, writeUrl: boolean): void {
    const prev = this.state;
    this.state = next;
    if (writeUrl) replaceQuery(queryString(encodeState(next)));
    const changed = (k: keyof WorkspaceState) => JSON.stringify(prev[k]) !== JSON.stringify(next[k]);
    const filterChanged = changed('q') || changed('states') || changed('tags') || changed('filter');
    const visibility = changed('hidden') || changed('only');

    if (this.search !== document.activeElement) this.search.value = next.q;
    if (changed('filter') && this.filterText !== document.activeElement) this.filterText.value = next.filter;
    this.renderControls();
    if (changed('cols')) this.table.setColumns(this.columns());
    if (changed('sort')) this.table.renderHead();
    if (changed('panels')) this.syncPanels();

    const needsColumns = this.fetchedColumns && this.neededColumns().some((c) => !this.fetchedColumns!.has(c));
    if (filterChanged || changed('sort') || needsColumns) {
      void this.loadRuns();
      return; // loadRuns rebuilds rows, charts and comparisons
    }
    if (changed('group') || visibility) this.rebuildRows();
    if (changed('x') || changed('group')) this.refreshCharts(true);
    else if (visibility || changed('max')) this.refreshCharts(false);
    else if (changed('smooth') || changed('log')) this.renderCharts();
    if (visibility || changed('pc') || changed('metric')) this.refreshCompare();
  }

  // ---------------------------------------------------------------- keys

  private metricKeys(): string[] {
    const keys = new Set([...(this.project?.metricKeys ?? []), ...this.extraMetricKeys]);
    return [...keys].sort((a, b) => a.localeCompare(b));
  }

  private configKeys(): string[] {
    return [...(this.project?.configKeys ?? [])].sort((a, b) => a.localeCompare(b));
  }

  /** The summary keys: metrics (but system metrics, which stay out of summaries), and values set straight into a summary. */
  private summaryKeys(): string[] {
    const keys = new Set(this.metricKeys().filter((k) => !k.startsWith('system/')));
    for (const r of this.runs.slice(0, 200)) for (const k of Object.keys(r.summary ?? {})) keys.add(k);
    return [...keys].sort((a, b) => a.localeCompare(b));
  }

  /** Config keys whose values differ between the loaded runs first: those are the interesting ones. */
  private varyingConfigKeys(): string[] {
    const keys = this.configKeys();
    return [...keys.filter((k) => this.varies(k)), ...keys.filter((k) => !this.varies(k))];
  }

  private varies(key: string): boolean {
    return new Set(this.runs.slice(0, 500).map((r) => JSON.stringify(configValue(r.config, key) ?? null))).size > 1;
  }

  private tableColumnKeys(): string[] {
    if (this.state.cols) return this.state.cols;
    // By default the config keys that tell the runs apart (all when none or one run is loaded).
    const varying = this.runs.length > 1 ? this.varyingConfigKeys().filter((k) => this.varies(k)) : [];
    const config = varying.length ? varying : this.configKeys();
    return [
      ...config.slice(0, DEFAULT_COLUMNS_EACH).map((k) => `config.${k}`),
      ...this.metricKeys().filter((k) => !k.startsWith('system/')).slice(0, DEFAULT_COLUMNS_EACH).map((k) => `summary.${k}`),
    ];
  }

  private metric(): string {
    const keys = this.summaryKeys();
    if (this.state.metric && (keys.includes(this.state.metric) || !keys.length)) return this.state.metric;
    return this.state.metric || keys[0] || '';
  }

  private parallelParams(): string[] {
    const varying = this.runs.length > 1 ? this.configKeys().filter((k) => this.varies(k)) : [];
    const keys = this.state.pc ?? (varying.length ? varying : this.configKeys()).slice(0, 8);
    return keys.map((k) => (k.startsWith('config.') ? k : `config.${k}`));
  }

  private neededColumns(): string[] {
    const cols = new Set(this.tableColumnKeys());
    if (this.state.group.startsWith('config.')) cols.add(this.state.group);
    for (const p of this.parallelParams()) cols.add(p);
    const m = this.metric();
    if (m) cols.add(`summary.${m}`);
    return [...cols];
  }

  private columnsParam(): string[] | null {
    const n = (this.project?.configKeys.length ?? 0) + (this.project?.metricKeys.length ?? 0);
    return n > COLUMNS_THRESHOLD ? this.neededColumns() : null;
  }

  // ---------------------------------------------------------------- runs

  private async loadRuns(): Promise<void> {
    this.runsAbort?.abort();
    const abort = new AbortController();
    this.runsAbort = abort;
    this.loadingRuns = true;
    const parsed = parseFilter(this.state.filter);
    this.filterError.textContent = parsed.error ?? '';
    if (this.runs.length === 0) mount(this.tableStatus, loadingBox('Loading runs…'));
    else this.tableStatus.replaceChildren();
    this.el.classList.add('is-loading');
    const columns = this.columnsParam();
    try {
      const page = await api.allRuns(this.name, { filters: tableFilter(this.state), order: this.state.sort, columns }, 10000, abort.signal);
      if (abort.signal.aborted || this.disposed) return;
      this.runs = page.runs.map((r) => this.withPending(r));
      this.runColors.assign(this.runs.map((r) => r.runId));
      this.total = page.total;
      this.fetchedColumns = columns ? new Set(columns) : null;
      this.runsError = null;
      if (!parsed.error) this.filterError.textContent = '';
      this.tableStatus.replaceChildren();
    } catch (e) {
      if (abort.signal.aborted || this.disposed) return;
      this.runs = [];
      this.total = 0;
      this.runsError = (e as Error).message;
      if (e instanceof ApiError && e.status === 400) {
        this.filterError.textContent = e.detail ?? e.message;
        this.filterBox.hidden = false;
        mount(this.tableStatus, h('div', { class: 'empty' }, 'The filter was refused: ', h('code', null, e.detail ?? e.message)));
      } else mount(this.tableStatus, errorBox(e));
    } finally {
      if (this.runsAbort === abort) {
        this.loadingRuns = false;
        this.el.classList.remove('is-loading');
      }
    }
    for (const r of this.runs) for (const t of r.tags ?? []) this.knownTags.set(t, (this.knownTags.get(t) ?? 0) + 1);
    for (const r of this.runs.slice(0, 200)) for (const k of Object.keys(r.summary ?? {})) if (!this.project?.metricKeys.includes(k)) this.extraMetricKeys.add(k);
    this.table.setColumns(this.columns());
    this.renderControls();
    this.rebuildRows();
    this.table.scrollToTop();
    this.syncPanels();
    this.refreshCharts(false, true);
    this.refreshCompare();
    if (!this.loadingRuns) {
      const held = this.held;
      this.held = [];
      for (const r of held) this.onRunEvent(r);
    }
  }

  private groupsOf(runs: readonly Run[]): Map<string, Run[]> {
    const groups = new Map<string, Run[]>();
    for (const r of runs) {
      const v = groupValue(r, this.state.group);
      let list = groups.get(v);
      if (!list) groups.set(v, (list = []));
      list.push(r);
    }
    const sorted = new Map([...groups.entries()].sort((a, b) => naturalCompare(a[0], b[0])));
    this.groupColors.assign(sorted.keys());
    return sorted;
  }

  private rebuildRows = (): void => {
    const s = this.state;
    const rows: TableRow[] = [];
    if (!s.group) {
      for (const run of this.runs) rows.push({ kind: 'run', run, color: this.runColors.get(run.runId), visible: isVisible(s, run.runId) });
    } else {
      for (const [value, runs] of this.groupsOf(this.runs)) {
        const color = this.groupColors.get(value);
        const collapsed = this.collapsed.has(value);
        rows.push({ kind: 'group', value, count: runs.length, color, collapsed });
        if (!collapsed) for (const run of runs) rows.push({ kind: 'run', run, color, visible: isVisible(s, run.runId) });
      }
    }
    this.table.setRows(rows);
    this.renderCounts();
    if (!this.runs.length && !this.loadingRuns && !this.runsError) {
      mount(this.tableStatus, h('div', { class: 'empty' }, this.total === 0 && !tableFilter(s) ? 'No runs in this project yet.' : 'No runs match.'));
    } else if (this.runs.length && !this.runsError) this.tableStatus.replaceChildren();
  };

  /** Live events can come by the hundred a second: the table redraws at most every 200 ms. */
  private rowsTimer: ReturnType<typeof setTimeout> | undefined;
  private scheduleRows(): void {
    if (this.rowsTimer) return;
    this.rowsTimer = this.later(() => {
      this.rowsTimer = undefined;
      requestAnimationFrame(() => this.rebuildRows());
    }, 200);
  }

  private chartRuns(): Run[] {
    const out: Run[] = [];
    for (const r of this.runs) {
      if (!isVisible(this.state, r.runId)) continue;
      out.push(r);
      if (out.length >= this.state.max) break;
    }
    return out;
  }

  private visibleRuns(): Run[] {
    return this.runs.filter((r) => isVisible(this.state, r.runId));
  }

  private renderCounts(): void {
    const visible = this.visibleRuns().length;
    const shown = Math.min(visible, this.state.max);
    mount(this.tableCount,
      h('b', { 'data-testid': 'run-count' }, `${this.total.toLocaleString('en-US')} run${this.total === 1 ? '' : 's'}`),
      this.runs.length < this.total ? h('span', { class: 'muted' }, ` (first ${this.runs.length.toLocaleString('en-US')})`) : null,
      h('span', { class: 'muted' }, ` · ${visible} shown in charts${!this.state.group && visible > shown ? ` (lines for the first ${shown})` : ''}`));
    const p = this.project;
    if (p) {
      mount(this.headInfo,
        h('span', null, `${p.runCount.toLocaleString('en-US')} run${p.runCount === 1 ? '' : 's'}`),
        (p.runsByState?.running ?? 0) > 0 ? h('span', { class: 'state state-running' }, `${p.runsByState.running} running`) : null,
        h('span', { class: 'muted' }, `${p.metricKeys.length} metrics · ${p.configKeys.length} config keys`));
    }
  }

  // ---------------------------------------------------------------- edits

  private withPending(run: Run): Run {
    const pending = this.pendingEdits.get(run.runId);
    if (!pending) return run;
    if (Date.now() > pending.until) {
      this.pendingEdits.delete(run.runId);
      return run;
    }
    const applied = Object.entries(pending.edit).every(([k, v]) => JSON.stringify(run[k]) === JSON.stringify(v));
    if (applied) {
      this.pendingEdits.delete(run.runId);
      return run;
    }
    return { ...run, ...pending.edit };
  }

  private async saveEdit(run: Run, edit: { tags?: string[]; notes?: string }, done: () => void): Promise<void> {
    const before = this.runs.find((r) => r.runId === run.runId) ?? run;
    if (Object.entries(edit).every(([k, v]) => JSON.stringify(before[k] ?? (k === 'notes' ? '' : [])) === JSON.stringify(v))) {
      done(); // nothing changed
      return;
    }
    const after = { ...before, ...edit } as Run;
    this.pendingEdits.set(run.runId, { edit, until: Date.now() + 15000 });
    this.replaceRun(after);
    done();
    try {
      await api.patchRun(this.name, run.runId, edit);
      for (const t of edit.tags ?? []) if (!this.knownTags.has(t)) this.knownTags.set(t, 1);
      this.renderControls();
    } catch (e) {
      this.pendingEdits.delete(run.runId);
      this.replaceRun(before);
      toast(`Could not save: ${(e as Error).message}`, 'error');
    }
  }

  private replaceRun(run: Run): void {
    const i = this.runs.findIndex((r) => r.runId === run.runId);
    if (i < 0) return;
    this.runs[i] = run;
    this.rebuildRows();
  }

  // ---------------------------------------------------------------- live

  private held: Run[] = [];

  private onRunEvent(incoming: Run): void {
    if (!incoming || !incoming.runId) return;
    if (this.loadingRuns) {
      this.held.push(incoming);
      return;
    }
    const run = this.withPending(incoming);
    const i = this.runs.findIndex((r) => r.runId === run.runId);
    const prev = i >= 0 ? this.runs[i] : null;
    if (prev && isOlder(incoming, prev)) return;
    let matches = true;
    try {
      matches = matchesFilter(run, tableFilter(this.state));
    } catch {
      matches = true;
    }
    const sortField = this.state.sort.replace(/^-/, '');
    if (prev && !matches) {
      this.runs.splice(i, 1);
      this.total = Math.max(0, this.total - 1);
    } else if (prev) {
      this.runs[i] = run;
      if (JSON.stringify(fieldValue(prev, sortField)) !== JSON.stringify(fieldValue(run, sortField))) this.runs.sort(runComparator(this.state.sort));
    } else if (matches) {
      this.runs.push(run);
      this.runs.sort(runComparator(this.state.sort));
      this.total++;
      for (const t of run.tags ?? []) this.knownTags.set(t, (this.knownTags.get(t) ?? 0) + 1);
    } else return;

    let newKeys = false;
    for (const k of Object.keys(run.summary ?? {})) {
      if (!this.project?.metricKeys.includes(k) && !this.extraMetricKeys.has(k)) {
        this.extraMetricKeys.add(k);
        newKeys = true;
      }
    }
    if (newKeys) {
      this.syncPanels();
      this.renderControls();
    }
    this.scheduleRows();

    const stepped = !prev || prev.lastStep !== run.lastStep || prev.state !== run.state;
    if (stepped && isVisible(this.state, run.runId)) {
      for (const p of this.panels.values()) {
        p.stale.add(run.runId);
        p.groupsStale = true;
      }
      this.scheduleChartRefresh();
    }
    if (!prev || prev.state !== run.state) {
      this.scheduleCompareRefresh();
      this.scheduleProjectRefresh();
    }
  }

  private chartTimer: ReturnType<typeof setTimeout> | undefined;
  private scheduleChartRefresh(): void {
    if (this.chartTimer) return;
    this.chartTimer = this.later(() => {
      this.chartTimer = undefined;
      this.refreshCharts(false);
    }, 1500);
  }

  private compareTimer: ReturnType<typeof setTimeout> | undefined;
  private scheduleCompareRefresh(): void {
    if (this.compareTimer) return;
    this.compareTimer = this.later(() => {
      this.compareTimer = undefined;
      this.refreshCompare();
    }, 5000);
  }

  private projectTimer: ReturnType<typeof setTimeout> | undefined;
  private scheduleProjectRefresh(): void {
    if (this.projectTimer) return;
    this.projectTimer = this.later(async () => {
      this.projectTimer = undefined;
      try {
        const keysBefore = JSON.stringify([this.project?.metricKeys, this.project?.configKeys]);
        this.project = await api.project(this.name);
        if (this.disposed) return;
        this.renderCounts();
        if (keysBefore !== JSON.stringify([this.project.metricKeys, this.project.configKeys])) {
          this.renderControls();
          this.syncPanels();
          this.table.setColumns(this.columns());
        }
      } catch { /* the next event tries again */ }
    }, 3000);
  }

  /** Without the event stream: reload the runs (quietly) and redraw what changed. */
  private async poll(): Promise<void> {
    if (this.loadingRuns || this.disposed) return;
    try {
      const page = await api.allRuns(this.name, { filters: tableFilter(this.state), order: this.state.sort, columns: this.columnsParam() });
      if (this.disposed) return;
      const before = new Map(this.runs.map((r) => [r.runId, r]));
      this.runs = page.runs.map((r) => this.withPending(r));
      this.total = page.total;
      let anyChange = this.runs.length !== before.size;
      for (const r of this.runs) {
        const p = before.get(r.runId);
        if (p && p.lastStep === r.lastStep && p.state === r.state && p.updatedAt === r.updatedAt) continue;
        anyChange = true;
        for (const panel of this.panels.values()) {
          panel.stale.add(r.runId);
          panel.groupsStale = true;
        }
      }
      if (anyChange) {
        this.rebuildRows();
        this.refreshCharts(false);
        this.scheduleCompareRefresh();
        this.scheduleProjectRefresh();
      }
    } catch { /* keep polling */ }
  }

  // ---------------------------------------------------------------- table

  private columns(): Column[] {
    const p = this.name;
    const cols: Column[] = [
      { id: '_vis', label: '', width: 46, sticky: true, title: 'Shown in charts', render: () => '' },
      {
        id: 'name', label: 'Name', width: 170, sticky: true, sort: 'name',
        render: (run) => h('a', { class: 'run-link', href: href.run(p, run.runId), title: `${runName(run)} (${run.runId})` }, runName(run)),
      },
      { id: 'state', label: 'State', width: 84, sort: 'state', render: (run) => stateBadge(run.state) },
    ];
    for (const key of this.tableColumnKeys()) {
      if (key.startsWith('config.')) {
        const path = key.slice('config.'.length);
        cols.push({
          id: key, label: path, width: 96, sort: key, align: 'right', title: `config.${path}`,
          render: (run) => formatValue(configValue(run.config, path)),
        });
      } else if (key.startsWith('summary.')) {
        const k = key.slice('summary.'.length);
        cols.push({
          id: key, label: k, width: 96, sort: key, align: 'right', title: `summary.${k}`,
          render: (run) => formatNumber(run.summary?.[k]),
        });
      }
    }
    cols.push(
      {
        id: 'tags', label: 'Tags', width: 170, title: 'Tags (click a cell to edit)',
        render: (run) => h('span', { class: 'tags' }, (run.tags ?? []).map((t) => h('span', { class: 'tag' }, t))),
        edit: (run, done) => tagEditor(run.tags ?? [], (tags) => void this.saveEdit(run, { tags }, done), done),
      },
      {
        id: 'notes', label: 'Notes', width: 160, sort: 'notes', title: 'Notes (click a cell to edit)',
        render: (run) => run.notes ?? '',
        edit: (run, done) => textEditor(run.notes ?? '', (notes) => void this.saveEdit(run, { notes }, done), done),
      },
      {
        id: 'createdAt', label: 'Created', width: 84, sort: 'createdAt',
        render: (run) => h('span', { title: formatTime(run.createdAt) }, formatAgo(run.createdAt)),
      },
      { id: 'lastStep', label: 'Steps', width: 64, align: 'right', render: (run) => (run.lastStep === null || run.lastStep === undefined ? '' : formatNumber(run.lastStep + 1)) },
    );
    return cols;
  }

  private openColumns(anchor: HTMLElement): void {
    const chosen = this.tableColumnKeys();
    popover(anchor, chooser([
      { label: 'Config', options: this.configKeys().map((k) => ({ value: `config.${k}`, label: k })) },
      { label: 'Summary', options: this.summaryKeys().map((k) => ({ value: `summary.${k}`, label: k })) },
    ], chosen, (values) => this.setState({ cols: values })));
  }

  // ---------------------------------------------------------------- filter bar

  private buildFilterBox(): void {
    const example = (label: string, f: Filter) => h('button', {
      class: 'btn btn-xs', title: JSON.stringify(f),
      onclick: () => {
        this.filterText.value = JSON.stringify(f);
        this.filterText.focus();
      },
    }, label);
    const firstConfig = () => this.configKeys()[0] ?? 'learning_rate';
    const firstMetric = () => this.metric() || 'accuracy';
    mount(this.filterBox,
      h('div', { class: 'filter-help' }, 'MongoDB-style JSON: ',
        h('code', null, 'config.<key>'), ', ', h('code', null, 'summary.<key>'), ', ', h('code', null, 'tags'), ', ', h('code', null, 'state'),
        ' with ', h('code', null, '$gt $lt $in $regex $exists $or …'), '. Ctrl+Enter applies.'),
      this.filterText,
      h('div', { class: 'row' },
        h('button', { class: 'btn btn-primary btn-sm', onclick: () => this.applyFilterText() }, 'Apply'),
        h('button', {
          class: 'btn btn-sm', onclick: () => {
            this.filterText.value = '';
            this.setState({ filter: '' });
          },
        }, 'Clear'),
        h('span', { class: 'muted small' }, 'Examples:'),
        h('span', { class: 'examples' },
          h('button', { class: 'btn btn-xs', onclick: () => { this.filterText.value = JSON.stringify({ [`config.${firstConfig()}`]: { $lt: 0.1 } }); } }, 'config <'),
          h('button', { class: 'btn btn-xs', onclick: () => { this.filterText.value = JSON.stringify({ [`summary.${firstMetric()}`]: { $gt: 0.9 } }); } }, 'summary >'),
          example('tag', { tags: { $in: ['baseline'] } }),
          example('or', { $or: [{ state: 'running' }, { state: 'crashed' }] }))),
      this.filterError,
      h('div', { class: 'query-line' }, h('span', { class: 'muted small' }, 'Query sent: '), this.queryView));
  }

  private applyFilterText(): void {
    const { filter, error } = parseFilter(this.filterText.value);
    this.filterError.textContent = error ?? '';
    if (error) return;
    // Kept compact in the URL; the box keeps what was typed.
    this.setState({ filter: filter ? JSON.stringify(filter) : '' });
  }

  private renderControls(): void {
    const s = this.state;
    // state and tag chips
    const counts = this.project?.runsByState ?? {};
    const stateChips = STATES.map((st) => {
      const on = s.states.includes(st);
      return h('button', {
        class: `chip chip-state chip-${st}${on ? ' on' : ''}`, 'aria-pressed': on ? 'true' : 'false', 'data-chip': `state:${st}`,
        onclick: () => this.setState({ states: on ? s.states.filter((x) => x !== st) : [...s.states, st] }),
      }, h('span', { class: 'dot' }), st, counts[st] ? h('span', { class: 'count' }, String(counts[st])) : null);
    });
    const tags = [...new Set([...[...this.knownTags.entries()].sort((a, b) => b[1] - a[1]).map(([t]) => t).slice(0, 10), ...s.tags])];
    const tagChips = tags.map((t) => {
      const on = s.tags.includes(t);
      return h('button', {
        class: `chip chip-tag${on ? ' on' : ''}`, 'aria-pressed': on ? 'true' : 'false', 'data-chip': `tag:${t}`,
        onclick: () => this.setState({ tags: on ? s.tags.filter((x) => x !== t) : [...s.tags, t] }),
      }, '#', t);
    });
    mount(this.chips, stateChips, tagChips.length ? h('span', { class: 'chip-sep' }) : null, tagChips);

    const active = parseFilter(s.filter).filter;
    this.filterBtn.classList.toggle('on', !!active);
    this.filterBtn.title = active ? `Filter: ${JSON.stringify(active)}` : 'Filter with the JSON filter language';
    const q = tableFilter(s);
    this.queryView.textContent = q ? JSON.stringify(q) : '(none: every run)';

    // group by
    mount(this.groupSlot, h('label', { class: 'inline-label' }, 'Group',
      select([['', 'none'], ['group', 'group'], ['jobType', 'job type'], ...this.configKeys().map((k): [string, string] => [`config.${k}`, k])],
        s.group, (v) => this.setState({ group: v }), { class: 'select select-sm', 'aria-label': 'Group by' })));

    // chart controls
    const xs: [string, string][] = [['_step', 'Step'], ['_timestamp', 'Time'], ...this.metricKeys().map((k): [string, string] => [k, k])];
    const smoothLabel = h('span', { class: 'smooth-value' }, s.smooth ? s.smooth.toFixed(2) : 'off');
    const slider = h('input', {
      type: 'range', min: 0, max: 0.99, step: 0.01, value: String(s.smooth), 'aria-label': 'Smoothing',
      oninput: () => {
        smoothLabel.textContent = Number(slider.value) ? Number(slider.value).toFixed(2) : 'off';
        smoothApply(Number(slider.value));
      },
    });
    const smoothApply = debounce((v: number) => this.setState({ smooth: v }), 60);
    const panelsBtn: HTMLButtonElement = h('button', {
      class: 'btn btn-sm', title: 'Choose the metric panels',
      onclick: () => popover(panelsBtn, chooser([{ label: 'Metrics', options: this.metricKeys().map((k) => ({ value: k, label: k })) }],
        this.panelKeys(), (values) => this.setState({ panels: values.length === this.metricKeys().length ? null : values }))),
    }, 'Panels');
    mount(this.chartControls,
      h('label', { class: 'inline-label' }, 'X axis', select(xs, s.x, (v) => this.setState({ x: v }), { class: 'select select-sm', 'aria-label': 'X axis' })),
      h('label', { class: 'inline-label smoothing' }, 'Smoothing', slider, smoothLabel),
      s.group ? h('span', { class: 'muted small' }, `grouped by ${s.group}: mean and min–max`)
        : h('label', { class: 'inline-label' }, 'Runs',
          select(['5', '10', '20', '50', '100'].includes(String(s.max)) ? ['5', '10', '20', '50', '100'] : [String(s.max), '5', '10', '20', '50', '100'],
            String(s.max), (v) => this.setState({ max: Math.min(Number(v), MAX_CHART_RUNS) }), { class: 'select select-sm', 'aria-label': 'Runs in charts' })),
      panelsBtn);
    this.chartsTitle.textContent = `(${this.panelKeys().filter((k) => !k.startsWith('system/')).length})`;

    // comparison controls
    const metricSelect = () => select(this.summaryKeys().map((k): [string, string] => [k, k]), this.metric(),
      (v) => this.setState({ metric: v }), { class: 'select select-sm', 'aria-label': 'Metric' });
    const paramsBtn: HTMLButtonElement = h('button', {
      class: 'btn btn-xs', title: 'Axes (config keys)',
      onclick: () => popover(paramsBtn, chooser([{ label: 'Config', options: this.configKeys().map((k) => ({ value: `config.${k}`, label: k })) }],
        this.parallelParams(), (values) => this.setState({ pc: values.map((v) => v.replace(/^config\./, '')) }), { max: 16 })),
    }, 'Axes');
    mount(this.parallelControls, paramsBtn, metricSelect());
    mount(this.importanceControls, metricSelect());
  }

  // ---------------------------------------------------------------- line panels

  private panelKeys(): string[] {
    return this.state.panels ?? this.metricKeys();
  }

  private syncPanels(): void {
    const keys = this.panelKeys();
    const wanted = new Set(keys);
    for (const [k, p] of this.panels) {
      if (!wanted.has(k)) {
        p.dispose();
        p.el.remove();
        this.panels.delete(k);
      }
    }
    const host = {
      onVisible: (p: LinePanel) => {
        this.renderPanel(p);
        if (this.needsData(p)) this.request(p);
      },
      toggleLog: (m: string) => this.setState({ log: this.state.log.includes(m) ? this.state.log.filter((x) => x !== m) : [...this.state.log, m] }),
      remove: (m: string) => this.setState({ panels: this.panelKeys().filter((k) => k !== m) }),
    };
    const els: HTMLElement[] = [];
    const systemEls: HTMLElement[] = [];
    for (const k of keys) {
      let p = this.panels.get(k);
      if (!p) {
        p = new LinePanel(k, host, this.state.log.includes(k));
        this.panels.set(k, p);
      }
      (k.startsWith('system/') ? systemEls : els).push(p.el);
    }
    // Re-append only when the order changed (moving a chart's element is harmless but not free).
    for (const [grid, children] of [[this.panelGrid, els], [this.systemGrid, systemEls]] as const) {
      const current = [...grid.children];
      if (current.length !== children.length || current.some((c, i) => c !== children[i])) grid.replaceChildren(...children);
    }
    this.systemSection.hidden = !systemEls.length;
    this.systemTitle.textContent = `System (${systemEls.length})`;
    if (!els.length) this.panelGrid.replaceChildren(h('div', { class: 'empty' }, this.project ? 'No metrics logged yet.' : ''));
    this.chartsTitle.textContent = `(${els.length})`;
  }

  private needsData(p: LinePanel): boolean {
    if (this.state.group) return p.groups === null || p.groupsStale;
    return this.chartRuns().some((r) => !p.data.has(r.runId) || p.stale.has(r.runId));
  }

  /** Redraws every panel in view and loads what they lack; `reset` forgets loaded data (the x axis or grouping changed). */
  private refreshCharts(reset: boolean, runsReloaded = false): void {
    if (reset) {
      this.chartGen++;
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

  private renderCharts(): void {
    for (const p of this.panels.values()) if (p.visible) this.renderPanel(p);
  }

  /**
   * The panel's x axis: the chosen one, except that with the step chosen a metric whose definition
   * (define_metric, in the first run that has one) names a step metric is drawn against that.
   */
  private panelX(metric: string): string {
    if (this.state.x !== '_step') return this.state.x;
    for (const run of this.runs) {
      const x = definitionFor(run.metricDefinitions, metric)?.stepMetric;
      if (x && x !== metric) return x;
    }
    return '_step';
  }

  private renderPanel(p: LinePanel): void {
    const s = this.state;
    const common = { xKey: this.panelX(p.metric), log: s.log.includes(p.metric), smoothing: s.smooth };
    if (s.group) {
      p.render({ ...common, groups: p.groups ?? [] });
      p.setNote(p.groups ? `${p.groups.length} group${p.groups.length === 1 ? '' : 's'}` : '');
      return;
    }
    const runs = this.chartRuns();
    p.render({ ...common, runs: runs.map((r) => ({ id: r.runId, name: runName(r), color: this.runColors.get(r.runId), series: p.data.get(r.runId) ?? undefined })) });
    const withData = runs.filter((r) => p.data.get(r.runId)?.x.length).length;
    p.setNote(runs.length ? `${withData} run${withData === 1 ? '' : 's'}` : 'no runs shown');
  }

  private queue = new Set<LinePanel>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  /** Panels asking for data in the same moment share calls (several keys per call). */
  private request(p: LinePanel): void {
    this.queue.add(p);
    if (this.flushTimer) return;
    this.flushTimer = this.later(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, 16);
  }

  private async flush(): Promise<void> {
    const panels = [...this.queue].filter((p) => this.panels.get(p.metric) === p);
    this.queue.clear();
    if (this.state.group) {
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
    const gen = this.chartGen;
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
            const res = await api.multiHistory(this.name, need, chunk.map((p) => p.metric), SAMPLES, x);
            if (gen !== this.chartGen || this.disposed) return;
            for (const p of chunk) for (const id of need) p.data.set(id, res.runs[id]?.[p.metric] ?? null);
          } catch (e) {
            if (gen !== this.chartGen || this.disposed) return;
            for (const p of chunk) p.setNote(`error: ${(e as Error).message}`);
            for (const p of chunk) for (const id of need) if (!p.data.has(id)) p.data.set(id, null);
          } finally {
            for (const p of chunk) {
              p.loading = false;
              p.chart.showLoading(false);
              if (gen === this.chartGen && !this.disposed) this.renderPanel(p);
            }
          }
        })());
      }
    }
    await Promise.all(calls);
  }

  private async loadGrouped(p: LinePanel): Promise<void> {
    p.groupsStale = false;
    const gen = this.chartGen;
    const s = this.state;
    if (!p.groups) p.chart.showLoading(true);
    try {
      const groups = (await api.grouped(this.name, { key: p.metric, groupBy: s.group, samples: SAMPLES, x: this.panelX(p.metric), filters: chartFilter(s) })).groups;
      if (gen !== this.chartGen || this.disposed || this.state.group !== s.group) return;
      p.groups = groups.map((g) => ({ ...g, value: String(g.value), color: this.groupColors.get(String(g.value)) }));
    } catch (e) {
      p.setNote(`error: ${(e as Error).message}`);
      p.groups = p.groups ?? [];
    } finally {
      p.chart.showLoading(false);
      if (gen === this.chartGen && !this.disposed) this.renderPanel(p);
    }
  }

  // ---------------------------------------------------------------- comparisons

  private refreshCompare(): void {
    this.parallelStale = true;
    this.importanceStale = true;
    if (this.parallelChart.visible) void this.loadParallel();
    if (this.importanceChart.visible) void this.loadImportance();
  }

  private parallelStale = true;
  private importanceStale = true;
  private parallelSeq = 0;
  private importanceSeq = 0;

  private async loadParallel(): Promise<void> {
    if (!this.project || (!this.parallelStale && this.parallelChart.chart)) return;
    this.parallelStale = false;
    const seq = ++this.parallelSeq;
    const metric = this.metric();
    const params = this.parallelParams();
    if (!metric) {
      this.parallelNote.textContent = 'no metric yet';
      return;
    }
    try {
      const data = await api.parallel(this.name, params, `summary.${metric}`, chartFilter(this.state));
      if (seq !== this.parallelSeq || this.disposed) return;
      this.parallelNote.textContent = `${data.rows.length} run${data.rows.length === 1 ? '' : 's'}`;
      this.parallelChart.set(parallelOption(data));
    } catch (e) {
      if (seq === this.parallelSeq) this.parallelNote.textContent = `error: ${(e as Error).message}`;
    }
  }

  private async loadImportance(): Promise<void> {
    if (!this.project || (!this.importanceStale && this.importanceChart.chart)) return;
    this.importanceStale = false;
    const seq = ++this.importanceSeq;
    const metric = this.metric();
    if (!metric) {
      this.importanceNote.textContent = 'no metric yet';
      return;
    }
    try {
      const data = await api.importance(this.name, `summary.${metric}`, null, chartFilter(this.state));
      if (seq !== this.importanceSeq || this.disposed) return;
      const partial = data.parameters.every((p) => p.importance === null) ? ' · correlation only' : '';
      this.importanceNote.textContent = `${metric} · ${data.runsUsed} run${data.runsUsed === 1 ? '' : 's'}${partial}`;
      this.importanceChart.set(importanceOption({ metric, parameters: data.parameters.slice(0, 20) }));
    } catch (e) {
      if (seq === this.importanceSeq) this.importanceNote.textContent = `error: ${(e as Error).message}`;
    }
  }

  // ---------------------------------------------------------------- layout

  private makeResizable(handle: HTMLElement): void {
    const saved = Number(localStorage.getItem('runstream.runsWidth'));
    if (saved > 200) this.body.style.setProperty('--runs-w', `${saved}px`);
    handle.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      handle.setPointerCapture(e.pointerId);
      const left = this.body.getBoundingClientRect().left;
      const move = (ev: PointerEvent) => {
        const w = Math.max(280, Math.min(ev.clientX - left, window.innerWidth - 320));
        this.body.style.setProperty('--runs-w', `${w}px`);
        localStorage.setItem('runstream.runsWidth', String(Math.round(w)));
      };
      const up = () => {
        handle.removeEventListener('pointermove', move);
        handle.removeEventListener('pointerup', up);
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', up);
    });
  }
}
