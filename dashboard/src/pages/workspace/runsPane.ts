// The workspace's left pane: search, state and tag chips, the JSON filter box, group-by, the
// columns chooser and the runs table, whose tags and notes edit in place.

import { api, ApiError, runName, type Run } from '../../api';
import { errorBox, loadingBox, stateBadge, toast } from '../../app';
import { debounce, h, icon, mount, select } from '../../dom';
import { configValue, groupValue, parseFilter, type Filter } from '../../lib/filters';
import { isVisible, tableFilter, toggleVisible, type WorkspaceState } from '../../lib/urlState';
import { formatAgo, formatNumber, formatTime, formatValue } from '../../lib/values';
import { RunsTable, type Column, type TableRow } from '../../panels/runsTable';
import { href } from '../../router';
import { chooser, popover, tagEditor, textEditor } from '../../widgets';
import type { WorkspaceContext } from './context';

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
  private readonly filterBox = h('div', { class: 'filter-box', hidden: true });
  private readonly filterText: HTMLTextAreaElement;
  private readonly filterError = h('div', { class: 'form-error', role: 'alert' });
  private readonly queryView = h('code', { class: 'query-view' });
  private readonly filterBtn: HTMLButtonElement;
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
    });

    const applySearch = debounce((v: string) => ctx.setState({ q: v }), 300);
    this.search = h('input', {
      type: 'search', class: 'input search', placeholder: 'Search runs by name or id', value: s.q, 'aria-label': 'Search runs',
      oninput: () => applySearch(this.search.value),
      onkeydown: (e: KeyboardEvent) => {
        if (e.key === 'Enter') {
          applySearch.cancel();
          ctx.setState({ q: this.search.value });
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
    this.filterText.value = s.filter;
    this.filterBox.hidden = !s.filter;
    this.filterBtn = h('button', {
      class: 'btn btn-sm', title: 'Filter with the JSON filter language',
      onclick: () => {
        this.filterBox.hidden = !this.filterBox.hidden;
        if (!this.filterBox.hidden) this.filterText.focus();
      },
    }, icon('filter'), 'Filter');
    this.buildFilterBox();

    this.el = h('aside', { class: 'ws-runs' },
      h('div', { class: 'ws-filterbar' },
        h('div', { class: 'row' }, this.search, this.filterBtn,
          h('button', { class: 'btn btn-sm', title: 'Columns of the table', onclick: (e: Event) => this.openColumns(e.currentTarget as HTMLElement) }, 'Columns'),
          this.groupSlot),
        this.chips,
        this.filterBox),
      h('div', { class: 'table-bar' }, this.tableCount,
        h('span', { class: 'spacer' }),
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
    if (changed('filter') && this.filterText !== document.activeElement) this.filterText.value = s.filter;
    if (changed('cols')) this.setColumns();
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

    const active = parseFilter(s.filter).filter;
    this.filterBtn.classList.toggle('on', !!active);
    this.filterBtn.title = active ? `Filter: ${JSON.stringify(active)}` : 'Filter with the JSON filter language';
    const q = tableFilter(s);
    this.queryView.textContent = q ? JSON.stringify(q) : '(none: every run)';

    mount(this.groupSlot, h('label', { class: 'inline-label' }, 'Group',
      select([['', 'none'], ['group', 'group'], ['jobType', 'job type'], ...this.ctx.keys.configKeys().map((k): [string, string] => [`config.${k}`, k])],
        s.group, (v) => this.ctx.setState({ group: v }), { class: 'select select-sm', 'aria-label': 'Group by' })));
  }

  // ---------------------------------------------------------------- loading status

  /** Before runs load: a spinner the first time, nothing in the way after. */
  loading(): void {
    this.filterError.textContent = parseFilter(this.ctx.state.filter).error ?? '';
    if (this.ctx.runs.length === 0) mount(this.tableStatus, loadingBox('Loading runs…'));
    else this.tableStatus.replaceChildren();
  }

  loaded(): void {
    if (!parseFilter(this.ctx.state.filter).error) this.filterError.textContent = '';
    this.tableStatus.replaceChildren();
  }

  failed(e: unknown): void {
    if (e instanceof ApiError && e.status === 400) {
      // The server names what it refused: show it where the filter is typed.
      this.filterError.textContent = e.detail ?? e.message;
      this.filterBox.hidden = false;
      mount(this.tableStatus, h('div', { class: 'empty' }, 'The filter was refused: ', h('code', null, e.detail ?? e.message)));
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
      for (const [value, members] of this.groupsOf(runs)) {
        const color = this.ctx.groupColors.get(value);
        const collapsed = this.collapsed.has(value);
        rows.push({ kind: 'group', value, count: members.length, color, collapsed });
        if (!collapsed) for (const run of members) rows.push({ kind: 'run', run, color, visible: isVisible(s, run.runId) });
      }
    }
    this.table.setRows(rows);
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
    const cols: Column[] = [
      { id: '_vis', label: '', width: 46, sticky: true, title: 'Shown in charts', render: () => '' },
      {
        id: 'name', label: 'Name', width: 170, sticky: true, sort: 'name',
        render: (run) => h('a', { class: 'run-link', href: href.run(p, run.runId), title: `${runName(run)} (${run.runId})` }, runName(run)),
      },
      { id: 'state', label: 'State', width: 84, sort: 'state', render: (run) => stateBadge(run.state) },
    ];
    for (const key of this.ctx.keys.tableColumnKeys()) {
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
    const keys = this.ctx.keys;
    popover(anchor, chooser([
      { label: 'Config', options: keys.configKeys().map((k) => ({ value: `config.${k}`, label: k })) },
      { label: 'Summary', options: keys.summaryKeys().map((k) => ({ value: `summary.${k}`, label: k })) },
    ], keys.tableColumnKeys(), (values) => this.ctx.setState({ cols: values })));
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

  // ---------------------------------------------------------------- filter box

  private buildFilterBox(): void {
    const example = (label: string, f: Filter) => h('button', {
      class: 'btn btn-xs', title: JSON.stringify(f),
      onclick: () => {
        this.filterText.value = JSON.stringify(f);
        this.filterText.focus();
      },
    }, label);
    const firstConfig = () => this.ctx.keys.configKeys()[0] ?? 'learning_rate';
    const firstMetric = () => this.ctx.keys.metric() || 'accuracy';
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
            this.ctx.setState({ filter: '' });
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
    this.ctx.setState({ filter: filter ? JSON.stringify(filter) : '' });
  }
}
