// The workspace's left pane: search, state and tag chips, the filter area, group-by, the
// columns chooser and the runs table, whose tags and notes edit in place and whose rows can be
// picked and deleted.

import { api, runName, type ApiError, type Run } from '../../api';
import { errorBox, loadingBox, stateBadge, toast } from '../../app';
import { debounce, h, icon, mount, select } from '../../dom';
import { formatCell, formatRuntime, runtimeSeconds } from '../../lib/cellFormat';
import { clampWidth, dropOn } from '../../lib/columnLayout';
import { configValue, groupValue } from '../../lib/filters';
import { groupAggregates } from '../../lib/groupAggregates';
import { isVisible, tableFilter, toggleVisible, type WorkspaceState } from '../../lib/urlState';
import { formatAgo, formatTime } from '../../lib/values';
import { RunsTable, type Column, type TableRow } from '../../panels/runsTable';
import { href } from '../../router';
import { tagEditor, textEditor } from '../../widgets';
import { ColumnsChooser } from './columnsChooser';
import type { WorkspaceContext } from './context';
import { FilterArea } from './filterArea';
import { RunSelection } from './runSelection';

const STATES = ['running', 'finished', 'failed', 'crashed'];
/** an edit waits this long for the run's own event to confirm it, showing meanwhile */
const PENDING_MS = 15000;

function naturalCompare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a.localeCompare(b, undefined, { numeric: true });
}

export class RunsPane {
  readonly el: HTMLElement;
  private readonly table: RunsTable;
  /** group values whose rows are folded */
  private readonly collapsed = new Set<string>();
  /** tag -> how many loaded runs carry it: the commonest become chips */
  private readonly knownTags = new Map<string, number>();
  private readonly pendingEdits = new Map<string, { edit: Partial<Run>; until: number }>();

  private readonly search: HTMLInputElement;
  private readonly chips = h('div', { class: 'chips' });
  private readonly filters: FilterArea;
  private readonly columnsChooser: ColumnsChooser;
  private readonly selection: RunSelection;
  private readonly groupSlot = h('span');
  private readonly tableCount = h('div', { class: 'table-count' });
  private readonly tableStatus = h('div', { class: 'table-status' });

  constructor(private readonly ctx: WorkspaceContext) {
    const s = ctx.state;
    this.table = new RunsTable({
      onSort: (field) => ctx.setState({ sort: ctx.state.sort === `-${field}` ? field : `-${field}` }),
      sortOrder: () => ctx.state.sort,
      onToggleVisible: (id) => ctx.setState(toggleVisible(ctx.state, id)),
      onToggleGroup: (value) => {
        if (this.collapsed.has(value)) this.collapsed.delete(value);
        else this.collapsed.add(value);
        this.rebuildRows();
      },
      onResize: (id, width) => ctx.setState({ widths: { ...ctx.state.widths, [id]: clampWidth(width) } }),
      onMove: (id, target) => ctx.setState({ cols: dropOn(ctx.keys.tableColumnKeys(), id, target) }),
    });
    this.filters = new FilterArea(ctx, () => [...this.knownTags.keys()]);
    this.columnsChooser = new ColumnsChooser(ctx);
    this.selection = new RunSelection(ctx);

    const applySearch = debounce((v: string) => ctx.setState({ q: v }), 300);
    this.search = h('input', {
      type: 'search', class: 'input search', placeholder: 'Search runs by name, id, tags or notes', value: s.q, 'aria-label': 'Search runs',
      oninput: () => applySearch(this.search.value),
      onkeydown: (e: KeyboardEvent) => {
        if (e.key === 'Enter') {
          applySearch.cancel();
          ctx.setState({ q: this.search.value });
        }
      },
    });

    this.el = h('aside', { class: 'ws-runs' },
      h('div', { class: 'ws-filterbar' },
        h('div', { class: 'row' }, this.search, this.filters.button,
          h('button', { class: 'btn btn-sm', title: 'Columns of the table', onclick: (e: Event) => this.columnsChooser.open(e.currentTarget as HTMLElement) }, 'Columns'),
          this.groupSlot),
        this.chips,
        this.filters.box),
      h('div', { class: 'table-bar' }, this.tableCount,
        h('span', { class: 'spacer' }),
        this.selection.el,
        h('button', { class: 'btn btn-xs', title: 'Show every run in the charts', onclick: () => ctx.setState({ hidden: [], only: null }) }, icon('eye'), 'All'),
        h('button', { class: 'btn btn-xs', title: 'Hide every run from the charts (then pick some with their eye)', onclick: () => ctx.setState({ hidden: [], only: [] }) }, icon('eye-off'), 'None'),
        h('button', {
          class: 'btn btn-xs', title: 'Show only the first runs of the table in the charts',
          onclick: () => ctx.setState({ hidden: [], only: ctx.runs.slice(0, ctx.state.max).map((r) => r.runId) }),
        }, 'Top')),
      this.tableStatus,
      this.table.el);
    this.table.setColumns(this.columns());
    mount(this.tableStatus, loadingBox('Loading runs…'));
  }

  // ---------------------------------------------------------------- state in, controls out

  /** Brings the inputs in line with a new state (from the URL or a control). */
  stateChanged(changed: (k: keyof WorkspaceState) => boolean): void {
    const s = this.ctx.state;
    if (this.search !== document.activeElement) this.search.value = s.q;
    this.filters.stateChanged(changed);
    if (changed('cols') || changed('widths')) this.setColumns();
    if (changed('sort')) this.table.renderHead();
  }

  setColumns(): void {
    this.table.setColumns(this.columns());
  }

  renderControls(): void {
    const s = this.ctx.state;
    const counts = this.ctx.project?.runsByState ?? {};
    const stateChips = STATES.map((st) => {
      const on = s.states.includes(st);
      return h('button', {
        class: `chip chip-state chip-${st}${on ? ' on' : ''}`, 'aria-pressed': on ? 'true' : 'false', 'data-chip': `state:${st}`,
        onclick: () => this.ctx.setState({ states: on ? s.states.filter((x) => x !== st) : [...s.states, st] }),
      }, h('span', { class: 'dot' }), st, counts[st] ? h('span', { class: 'count' }, String(counts[st])) : null);
    });
    const tags = [...new Set([...[...this.knownTags.entries()].sort((a, b) => b[1] - a[1]).map(([t]) => t).slice(0, 10), ...s.tags])];
    const tagChips = tags.map((t) => {
      const on = s.tags.includes(t);
      return h('button', {
        class: `chip chip-tag${on ? ' on' : ''}`, 'aria-pressed': on ? 'true' : 'false', 'data-chip': `tag:${t}`,
        onclick: () => this.ctx.setState({ tags: on ? s.tags.filter((x) => x !== t) : [...s.tags, t] }),
      }, '#', t);
    });
    mount(this.chips, stateChips, tagChips.length ? h('span', { class: 'chip-sep' }) : null, tagChips);

    this.filters.renderControls();

    mount(this.groupSlot, h('label', { class: 'inline-label' }, 'Group',
      select([['', 'none'], ['group', 'group'], ['jobType', 'job type'], ...this.ctx.keys.configKeys().map((k): [string, string] => [`config.${k}`, k])],
        s.group, (v) => this.ctx.setState({ group: v }), { class: 'select select-sm', 'aria-label': 'Group by' })));
  }

  // ---------------------------------------------------------------- loading status

  /** Before runs load: a spinner the first time, nothing in the way after. */
  loading(): void {
    this.filters.loading();
    if (this.ctx.runs.length === 0) mount(this.tableStatus, loadingBox('Loading runs…'));
    else this.tableStatus.replaceChildren();
  }

  loaded(): void {
    this.filters.loaded();
    this.tableStatus.replaceChildren();
  }

  failed(e: unknown): void {
    // The server names what it refused: shown where the filter is typed, and here.
    if (this.filters.refused(e)) {
      mount(this.tableStatus, h('div', { class: 'empty' }, 'The filter was refused: ', h('code', null, (e as ApiError).detail ?? (e as ApiError).message)));
    } else mount(this.tableStatus, errorBox(e));
  }

  scrollToTop(): void {
    this.table.scrollToTop();
  }

  // ---------------------------------------------------------------- rows

  noteTags(runs: readonly Run[]): void {
    for (const r of runs) for (const t of r.tags ?? []) this.knownTags.set(t, (this.knownTags.get(t) ?? 0) + 1);
  }

  private groupsOf(runs: readonly Run[]): Map<string, Run[]> {
    const groups = new Map<string, Run[]>();
    for (const r of runs) {
      const v = groupValue(r, this.ctx.state.group);
      let list = groups.get(v);
      if (!list) groups.set(v, (list = []));
      list.push(r);
    }
    const sorted = new Map([...groups.entries()].sort((a, b) => naturalCompare(a[0], b[0])));
    this.ctx.groupColors.assign(sorted.keys());
    return sorted;
  }

  rebuildRows(): void {
    const { state: s, runs } = this.ctx;
    const rows: TableRow[] = [];
    if (!s.group) {
      for (const run of runs) rows.push({ kind: 'run', run, color: this.ctx.runColors.get(run.runId), visible: isVisible(s, run.runId) });
    } else {
      const cols = this.ctx.keys.tableColumnKeys();
      for (const [value, members] of this.groupsOf(runs)) {
        const color = this.ctx.groupColors.get(value);
        const collapsed = this.collapsed.has(value);
        const shown = members.filter((r) => isVisible(s, r.runId)).length;
        rows.push({ kind: 'group', value, count: members.length, shown, color, collapsed, aggregates: groupAggregates(members, cols) });
        if (!collapsed) for (const run of members) rows.push({ kind: 'run', run, color, visible: isVisible(s, run.runId) });
      }
    }
    this.table.setRows(rows);
    this.selection.prune(runs);
    this.renderCounts();
    if (!runs.length && !this.ctx.loadingRuns && !this.ctx.runsError) {
      mount(this.tableStatus, h('div', { class: 'empty' }, this.ctx.total === 0 && !tableFilter(s) ? 'No runs in this project yet.' : 'No runs match.'));
    } else if (runs.length && !this.ctx.runsError) this.tableStatus.replaceChildren();
  }

  private rowsTimer: ReturnType<typeof setTimeout> | undefined;
  /** Live events can come by the hundred a second: the table redraws at most every 200 ms. */
  scheduleRows(): void {
    if (this.rowsTimer) return;
    this.rowsTimer = this.ctx.later(() => {
      this.rowsTimer = undefined;
      requestAnimationFrame(() => this.rebuildRows());
    }, 200);
  }

  renderCounts(): void {
    const { state: s, runs, total } = this.ctx;
    const visible = runs.filter((r) => isVisible(s, r.runId)).length;
    const shown = Math.min(visible, s.max);
    mount(this.tableCount,
      h('b', { 'data-testid': 'run-count' }, `${total.toLocaleString('en-US')} run${total === 1 ? '' : 's'}`),
      runs.length < total ? h('span', { class: 'muted' }, ` (first ${runs.length.toLocaleString('en-US')})`) : null,
      h('span', { class: 'muted' }, ` · ${visible} shown in charts${!s.group && visible > shown ? ` (lines for the first ${shown})` : ''}`));
  }

  // ---------------------------------------------------------------- columns

  private columns(): Column[] {
    const p = this.ctx.name;
    const widths = this.ctx.state.widths;
    const w = (id: string, fallback: number) => widths[id] ?? fallback;
    const cols: Column[] = [
      { id: '_sel', label: '', width: 28, sticky: true, title: 'Pick runs (to move or delete them)', render: (run) => this.selection.checkbox(run) },
      { id: '_vis', label: '', width: 46, sticky: true, title: 'Shown in charts', render: () => '' },
      {
        id: 'name', label: 'Name', width: w('name', 170), sticky: true, sort: 'name',
        render: (run) => h('a', { class: 'run-link', href: href.run(p, run.runId), title: `${runName(run)} (${run.runId})` }, runName(run)),
      },
      { id: 'state', label: 'State', width: w('state', 84), sort: 'state', render: (run) => stateBadge(run.state) },
    ];
    for (const key of this.ctx.keys.tableColumnKeys()) {
      // config.lr and summary.lr would read the same: the header names the source too.
      const dot = key.indexOf('.');
      const source = key.slice(0, dot);
      const path = key.slice(dot + 1);
      if (source !== 'config' && source !== 'summary') continue;
      cols.push({
        id: key, label: path, prefix: source, width: w(key, 104), sort: key, align: 'right', title: key, movable: true,
        render: source === 'config' ? (run) => formatCell(configValue(run.config, path) ?? null) : (run) => formatCell(run.summary?.[path]),
      });
    }
    cols.push(
      {
        id: 'tags', label: 'Tags', width: w('tags', 170), title: 'Tags (click a cell to edit)',
        render: (run) => h('span', { class: 'tags' }, (run.tags ?? []).map((t) => h('span', { class: 'tag' }, t))),
        edit: (run, done) => tagEditor(run.tags ?? [], (tags) => void this.saveEdit(run, { tags }, done), done),
      },
      {
        id: 'notes', label: 'Notes', width: w('notes', 160), sort: 'notes', title: 'Notes (click a cell to edit)',
        render: (run) => run.notes ?? '',
        edit: (run, done) => textEditor(run.notes ?? '', (notes) => void this.saveEdit(run, { notes }, done), done),
      },
      {
        id: 'createdAt', label: 'Created', width: w('createdAt', 84), sort: 'createdAt',
        render: (run) => h('span', { title: formatTime(run.createdAt) }, formatAgo(run.createdAt)),
      },
      {
        id: 'runtime', label: 'Runtime', width: w('runtime', 76), align: 'right', title: 'How long the run ran (so far, while it runs)',
        render: (run) => formatRuntime(runtimeSeconds(run)),
      },
      {
        // A count, written out in full (not in the number format of measured values).
        id: 'lastStep', label: 'Steps', width: w('lastStep', 64), align: 'right',
        render: (run) => (run.lastStep === null || run.lastStep === undefined ? '' : (run.lastStep + 1).toLocaleString('en-US')),
      },
    );
    return cols;
  }

  // ---------------------------------------------------------------- edits

  /**
   * The run with an edit made here and not yet confirmed by the server laid over it, so a reload
   * or an event from before the edit does not flash the old value back.
   */
  withPending(run: Run): Run {
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
    const before = this.ctx.runs.find((r) => r.runId === run.runId) ?? run;
    if (Object.entries(edit).every(([k, v]) => JSON.stringify(before[k] ?? (k === 'notes' ? '' : [])) === JSON.stringify(v))) {
      done(); // nothing changed
      return;
    }
    const after = { ...before, ...edit } as Run;
    this.pendingEdits.set(run.runId, { edit, until: Date.now() + PENDING_MS });
    this.ctx.replaceRun(after);
    done();
    try {
      await api.patchRun(this.ctx.name, run.runId, edit);
      for (const t of edit.tags ?? []) if (!this.knownTags.has(t)) this.knownTags.set(t, 1);
      this.renderControls();
    } catch (e) {
      this.pendingEdits.delete(run.runId);
      this.ctx.replaceRun(before);
      toast(`Could not save: ${(e as Error).message}`, 'error');
    }
  }
}
