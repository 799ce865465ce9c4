// A project's workspace: the runs table on the left (filter, sort, group, show/hide in charts,
// edit tags and notes), panels on the right (a line chart per metric, media the runs logged,
// parallel coordinates, parameter importance). Everything about the view is in the URL; runs and
// charts follow live events. This page holds the state and the runs; the panes draw them.

import { api, eventsUrl, isOlder, ApiError, type Project, type Run } from '../../api';
import { errorBox, setCrumbs, toast, type Page } from '../../app';
import { h, mount } from '../../dom';
import { ColorBook } from '../../lib/colors';
import { fieldValue, matchesFilter, runComparator } from '../../lib/filters';
import { decodeState, encodeState, isVisible, queryString, tableFilter, type WorkspaceState } from '../../lib/urlState';
import { onlyNamesView } from '../../lib/viewState';
import { LiveFeed } from '../../live';
import { href, replaceQuery, type Location } from '../../router';
import { ComparePanels } from './comparePanels';
import type { WorkspaceContext } from './context';
import { WorkspaceKeys } from './keys';
import { LineCharts } from './lineCharts';
import { WorkspaceMedia } from './mediaSections';
import { resizableRunsPane } from './paneResizer';
import { RunsPane } from './runsPane';
import { SavedViews } from './savedViews';

export class WorkspacePage implements Page, WorkspaceContext {
  readonly el: HTMLElement;
  state: WorkspaceState;
  project: Project | null = null;
  runs: Run[] = [];
  total = 0;
  runsError: string | null = null;
  loadingRuns = false;
  disposed = false;
  readonly keys: WorkspaceKeys;
  readonly runColors = new ColorBook();
  readonly groupColors = new ColorBook();
  private runsAbort: AbortController | null = null;
  /** the columns the loaded runs were fetched with (null: all) */
  private fetchedColumns: Set<string> | null = null;
  private live: LiveFeed | null = null;
  /** run events that came while the runs loaded, applied after */
  private held: Run[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private compareTimer: ReturnType<typeof setTimeout> | undefined;
  private projectTimer: ReturnType<typeof setTimeout> | undefined;

  private readonly body: HTMLElement;
  private readonly headInfo = h('div', { class: 'ws-counts' });
  private readonly runsPane: RunsPane;
  private readonly lineCharts: LineCharts;
  private readonly media: WorkspaceMedia;
  private readonly compare: ComparePanels;
  private readonly views: SavedViews;

  constructor(readonly name: string, params: URLSearchParams) {
    this.state = decodeState(params);
    this.keys = new WorkspaceKeys(this);
    setCrumbs([['Projects', '#/'], [name]]);
    this.runsPane = new RunsPane(this);
    this.lineCharts = new LineCharts(this);
    this.media = new WorkspaceMedia(this);
    this.compare = new ComparePanels(this);
    this.views = new SavedViews(this);

    const resizer = h('div', { class: 'ws-resizer', title: 'Drag to resize', role: 'separator' });
    this.body = h('div', { class: 'ws-body' }, this.runsPane.el, resizer,
      h('section', { class: 'ws-panels' }, this.lineCharts.el, this.media.el, this.compare.el));
    resizableRunsPane(this.body, resizer);

    this.el = h('div', { class: 'page workspace' },
      h('div', { class: 'ws-head' },
        h('h1', null, name),
        this.headInfo,
        h('nav', { class: 'tabs' },
          h('a', { class: 'tab active', href: href.workspace(name) }, 'Workspace'),
          h('a', { class: 'tab', href: href.artifacts(name) }, 'Artifacts')),
        h('span', { class: 'spacer' }),
        this.views.el,
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

    this.renderControls();
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
    // A shared link to a saved view: its state first, so the runs load once, as the view has them.
    if (this.state.view) await this.views.load(this.state.view, onlyNamesView(this.state));
    if (this.disposed) return;
    this.runsPane.setColumns();
    this.renderControls();
    this.lineCharts.syncPanels();
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
    if (onlyNamesView(next)) void this.views.load(next.view, true);
    return true;
  }

  dispose(): void {
    this.disposed = true;
    this.live?.stop();
    this.runsAbort?.abort();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.lineCharts.dispose();
    this.media.dispose();
    this.compare.dispose();
  }

  later(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.disposed) fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  // ---------------------------------------------------------------- state

  setState(patch: Partial<WorkspaceState>): void {
    this.apply({ ...this.state, ...patch }, true);
  }

  private apply(next: WorkspaceState, writeUrl: boolean): void {
    const prev = this.state;
    this.state = next;
    if (writeUrl) replaceQuery(queryString(encodeState(next)));
    const changed = (k: keyof WorkspaceState) => JSON.stringify(prev[k]) !== JSON.stringify(next[k]);
    const filterChanged = changed('q') || changed('states') || changed('tags') || changed('filter') || changed('brush');
    const visibility = changed('hidden') || changed('only');

    this.runsPane.stateChanged(changed);
    this.renderControls();
    this.views.render();
    if (changed('panels') || changed('order')) this.lineCharts.syncPanels();
    if (changed('sections')) {
      this.lineCharts.syncSections();
      this.media.syncSections();
      this.compare.syncOpen();
    }
    if (changed('sizes') || changed('yRange') || changed('legend')) this.lineCharts.applyLayouts();

    const fetched = this.fetchedColumns;
    const needsColumns = fetched && this.keys.neededColumns().some((c) => !fetched.has(c));
    if (filterChanged || changed('sort') || needsColumns) {
      void this.loadRuns();
      return; // loadRuns rebuilds rows, charts and comparisons
    }
    if (changed('group') || visibility) this.runsPane.rebuildRows();
    if (changed('x') || changed('group')) this.lineCharts.refresh(true);
    // Group lines are of the runs shown: hiding one changes its group's mean and count.
    else if (visibility || changed('max')) this.lineCharts.refresh(false, visibility);
    else if (changed('smooth') || changed('log') || changed('band')) this.lineCharts.render();
    if (visibility || changed('pc') || changed('metric')) this.compare.refresh();
    if (visibility || changed('max')) this.media.refresh();
  }

  private renderControls(): void {
    this.runsPane.renderControls();
    this.lineCharts.renderControls();
    this.compare.renderControls();
  }

  // ---------------------------------------------------------------- runs

  private async loadRuns(): Promise<void> {
    this.runsAbort?.abort();
    const abort = new AbortController();
    this.runsAbort = abort;
    this.loadingRuns = true;
    this.runsPane.loading();
    this.el.classList.add('is-loading');
    const columns = this.keys.columnsParam();
    try {
      const page = await api.allRuns(this.name, { filters: tableFilter(this.state), order: this.state.sort, columns }, 10000, abort.signal);
      if (abort.signal.aborted || this.disposed) return;
      this.runs = page.runs.map((r) => this.runsPane.withPending(r));
      this.runColors.assign(this.runs.map((r) => r.runId));
      this.total = page.total;
      this.fetchedColumns = columns ? new Set(columns) : null;
      this.runsError = null;
      this.runsPane.loaded();
    } catch (e) {
      if (abort.signal.aborted || this.disposed) return;
      this.runs = [];
      this.total = 0;
      this.runsError = (e as Error).message;
      this.runsPane.failed(e);
    } finally {
      if (this.runsAbort === abort) {
        this.loadingRuns = false;
        this.el.classList.remove('is-loading');
      }
    }
    this.runsPane.noteTags(this.runs);
    this.keys.noteSummaryKeys(this.runs.slice(0, 200));
    this.runsPane.setColumns();
    this.renderControls();
    this.runsPane.rebuildRows();
    this.runsPane.scrollToTop();
    this.renderHeadInfo();
    this.lineCharts.syncPanels();
    this.lineCharts.refresh(false, true);
    this.media.refresh();
    this.compare.refresh();
    if (!this.loadingRuns) {
      const held = this.held;
      this.held = [];
      for (const r of held) this.onRunEvent(r);
    }
  }

  replaceRun(run: Run): void {
    const i = this.runs.findIndex((r) => r.runId === run.runId);
    if (i < 0) return;
    this.runs[i] = run;
    this.runsPane.rebuildRows();
  }

  dropRuns(ids: readonly string[]): void {
    const gone = new Set(ids);
    const before = this.runs.length;
    this.runs = this.runs.filter((r) => !gone.has(r.runId));
    this.total = Math.max(0, this.total - (before - this.runs.length));
    this.runsPane.rebuildRows();
    this.lineCharts.refresh(false, true);
    this.media.refresh();
    this.scheduleCompareRefresh();
    this.scheduleProjectRefresh();
  }

  reloadRuns(): void {
    void this.loadRuns();
  }

  private renderHeadInfo(): void {
    const p = this.project;
    if (!p) return;
    // What was logged, apart from the machine's metrics the SDK samples on its own.
    const system = p.metricKeys.filter((k) => k.startsWith('system/')).length;
    const metrics = p.metricKeys.length - system;
    mount(this.headInfo,
      h('span', null, `${p.runCount.toLocaleString('en-US')} run${p.runCount === 1 ? '' : 's'}`),
      (p.runsByState?.running ?? 0) > 0 ? h('span', { class: 'state state-running' }, `${p.runsByState.running} running`) : null,
      h('span', { class: 'muted' }, `${metrics} metrics${system ? ` (and ${system} system)` : ''} · ${p.configKeys.length} config keys`));
  }

  // ---------------------------------------------------------------- live

  private onRunEvent(incoming: Run): void {
    if (!incoming || !incoming.runId) return;
    if (this.loadingRuns) {
      this.held.push(incoming);
      return;
    }
    const run = this.runsPane.withPending(incoming);
    const i = this.runs.findIndex((r) => r.runId === run.runId);
    const prev = i >= 0 ? this.runs[i] : null;
    if (prev && isOlder(incoming, prev)) return;
    let matches = true;
    try {
      matches = matchesFilter(run, tableFilter(this.state));
    } catch {
      matches = true;
    }
    // A deleted run leaves the lists (deleted elsewhere, or the event of a delete made here).
    if (run.deletedAt) matches = false;
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
      this.runsPane.noteTags([run]);
    } else return;

    if (this.keys.noteSummaryKeys([run])) {
      // A new key: the columns and metric choices offer it now; a line panel comes with the
      // project's metric keys (a key set only in summaries gets none).
      this.renderControls();
      this.scheduleProjectRefresh();
    }
    this.runsPane.scheduleRows();

    const stepped = !prev || prev.lastStep !== run.lastStep || prev.state !== run.state;
    if (stepped && isVisible(this.state, run.runId)) {
      this.lineCharts.runMoved(run.runId);
      this.lineCharts.scheduleRefresh();
    }
    // Media frames need not move the last step: any newer state of the run may have some.
    if (!prev) this.media.refresh();
    else if (stepped || prev.streamVersion !== run.streamVersion || prev.updatedAt !== run.updatedAt) this.media.runChanged(run.runId);
    if (!prev || prev.state !== run.state) {
      this.scheduleCompareRefresh();
      this.scheduleProjectRefresh();
    }
  }

  private scheduleCompareRefresh(): void {
    if (this.compareTimer) return;
    this.compareTimer = this.later(() => {
      this.compareTimer = undefined;
      this.compare.refresh();
    }, 5000);
  }

  private scheduleProjectRefresh(): void {
    if (this.projectTimer) return;
    this.projectTimer = this.later(async () => {
      this.projectTimer = undefined;
      try {
        const keysBefore = JSON.stringify([this.project?.metricKeys, this.project?.configKeys]);
        this.project = await api.project(this.name);
        if (this.disposed) return;
        this.renderHeadInfo();
        this.runsPane.renderCounts();
        if (keysBefore !== JSON.stringify([this.project.metricKeys, this.project.configKeys])) {
          this.renderControls();
          this.lineCharts.syncPanels();
          this.runsPane.setColumns();
        }
      } catch { /* the next event tries again */ }
    }, 3000);
  }

  /** Without the event stream: reload the runs (quietly) and redraw what changed. */
  private async poll(): Promise<void> {
    if (this.loadingRuns || this.disposed) return;
    try {
      const page = await api.allRuns(this.name, { filters: tableFilter(this.state), order: this.state.sort, columns: this.keys.columnsParam() });
      if (this.disposed) return;
      const before = new Map(this.runs.map((r) => [r.runId, r]));
      this.runs = page.runs.map((r) => this.runsPane.withPending(r));
      this.total = page.total;
      let anyChange = this.runs.length !== before.size;
      for (const r of this.runs) {
        const p = before.get(r.runId);
        if (p && p.lastStep === r.lastStep && p.state === r.state && p.updatedAt === r.updatedAt) continue;
        anyChange = true;
        this.lineCharts.runMoved(r.runId);
        this.media.runChanged(r.runId);
      }
      if (anyChange) {
        this.runsPane.rebuildRows();
        this.lineCharts.refresh(false);
        this.media.refresh();
        this.scheduleCompareRefresh();
        this.scheduleProjectRefresh();
      }
    } catch { /* keep polling */ }
  }
}
