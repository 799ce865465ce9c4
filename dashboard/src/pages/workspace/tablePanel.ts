// A table panel: which run's table and at which step (the last by default, following new ones),
// then a page of its rows from the server, sorted by a header click (ascending, descending, off)
// and filtered by text in any cell; image cells as thumbnails that open large.

import { api } from '../../api';
import { debounce, h, mount, select } from '../../dom';
import { pageLabel, sortMark, TABLE_PAGE, tableQuery, withPage, withSearch, withSort, type TableView } from '../../lib/mediaTable';
import { isImageCell, type MediaTablePage, type TableCell } from '../../lib/mediaTypes';
import type { UrlLease } from '../../lib/objectUrls';
import { formatNumber } from '../../lib/values';
import { newLease } from '../../mediaFiles';
import { mediaImg } from './mediaImage';
import { MediaPanelBase, muted, type MediaRun } from './mediaPanel';

/** the room of a thumbnail in a cell */
const THUMB: [number, number] = [64, 64];

export class TablePanel extends MediaPanelBase {
  private runId: string | null = null;
  /** the step chosen; null: the run's last */
  private chosenStep: number | null = null;
  private view: TableView = { step: -1, sort: null, search: '', offset: 0, limit: TABLE_PAGE };
  private page: MediaTablePage | null = null;
  /** what the page shown was asked for (run and query) */
  private pageFor = '';
  private error: string | null = null;
  private request = 0;
  private lease: UrlLease | null = null;
  private readonly choosers = h('div', { class: 'media-table-choosers' });
  private readonly search: HTMLInputElement;
  private readonly tableBox = h('div', { class: 'media-table-box' });
  private readonly pager = h('div', { class: 'media-pager' });

  constructor(key: string, project: string) {
    super(key, 'table', project);
    const applySearch = debounce((text: string) => this.setView(withSearch(this.view, text)), 250);
    this.search = h('input', {
      type: 'search', class: 'input input-sm media-search', placeholder: 'Filter rows…', 'aria-label': `Filter ${key}`,
      oninput: () => applySearch(this.search.value),
    });
    mount(this.body, h('div', { class: 'media-table-head' }, this.choosers, this.search), this.tableBox, this.pager);
  }

  private run(): MediaRun | null {
    return this.runs.find((r) => r.id === this.runId) ?? this.runs[0] ?? null;
  }

  protected override draw(): void {
    const run = this.run();
    this.runId = run?.id ?? null;
    const steps = run ? this.values.stepsOf(run.id) : [];
    const step = this.chosenStep !== null && steps.includes(this.chosenStep) ? this.chosenStep : steps[steps.length - 1];
    const ref = run && step !== undefined ? this.values.at(run.id, step)?.table : null;
    this.note.textContent = ref ? `${ref.rowCount.toLocaleString('en-US')} rows · ${ref.columns.length} columns` : '';
    mount(this.choosers,
      this.runs.length > 1 ? select(this.runs.map((r): [string, string] => [r.id, r.name]), run?.id ?? '', (v) => {
        this.runId = v;
        this.chosenStep = null;
        this.update();
      }, { class: 'select select-sm', 'aria-label': 'Run' }) : run ? h('span', { class: 'media-run-name' }, run.name) : null,
      steps.length ? select(steps.map((s): [string, string] => [String(s), `step ${s}`]), String(step), (v) => {
        const n = Number(v);
        this.chosenStep = n === steps[steps.length - 1] ? null : n;
        this.setView({ ...this.view, step: n, offset: 0 });
      }, { class: 'select select-sm', 'aria-label': 'Step' }) : null);
    if (!run || step === undefined) {
      mount(this.tableBox, muted(run ? this.values.error(run.id) ?? (this.values.get(run.id) ? 'No tables.' : 'Loading…') : 'No runs.'));
      mount(this.pager);
      return;
    }
    if (step !== this.view.step) this.view = { ...this.view, step, offset: 0 };
    this.loadPage(run.id);
  }

  private setView(view: TableView): void {
    if (view === this.view) return;
    this.view = view;
    const run = this.run();
    if (run) this.loadPage(run.id);
  }

  /** Asks for the view's page unless it is the one shown; a later answer wins over an earlier one. */
  private loadPage(runId: string): void {
    const q = tableQuery(this.key, this.view);
    const sig = `${runId}\n${JSON.stringify(q)}\n${this.runs.find((r) => r.id === runId)?.info.lastStep}`;
    if (sig === this.pageFor) return;
    this.pageFor = sig;
    const n = ++this.request;
    this.el.classList.add('is-loading');
    api.mediaTable(this.project, runId, q).then((page) => {
      if (n !== this.request || this.disposed) return;
      this.page = page;
      this.error = null;
      this.renderTable(runId);
    }, (e: Error) => {
      if (n !== this.request || this.disposed) return;
      this.pageFor = '';
      this.error = e.message;
      this.renderTable(runId);
    }).finally(() => {
      if (n === this.request) this.el.classList.remove('is-loading');
    });
  }

  private renderTable(runId: string): void {
    const page = this.page;
    const lease = newLease();
    if (this.error || !page) {
      mount(this.tableBox, muted(this.error ?? 'Loading…'));
    } else {
      const run = this.runs.find((r) => r.id === runId);
      const title = `${run?.name ?? runId} · ${this.key} · step ${page.step}`;
      const head = h('tr', null, page.columns.map((c) => {
        const mark = sortMark(this.view.sort, c);
        return h('th', { 'data-column': c, 'aria-sort': mark ? (mark === '▲' ? 'ascending' : 'descending') : 'none' },
          h('button', { class: 'media-sort', title: `Sort by ${c}`, onclick: () => this.setView(withSort(this.view, c)) }, c, mark ? h('span', { class: 'sort-mark' }, ` ${mark}`) : null));
      }));
      const rows = page.rows.map((row, i) => h('tr', { 'data-row': page.offset + i },
        row.map((cell, j) => h('td', { 'data-column': page.columns[j], class: typeof cell === 'number' ? 'num' : '' }, this.cell(cell, runId, lease, title)))));
      mount(this.tableBox, page.rows.length
        ? h('table', { class: 'media-table' }, h('thead', null, head), h('tbody', null, rows))
        : h('table', { class: 'media-table' }, h('thead', null, head), h('tbody', null, h('tr', null, h('td', { colspan: page.columns.length, class: 'muted' }, this.view.search ? 'No rows match.' : 'No rows.')))));
    }
    this.lease?.releaseAll();
    this.lease = lease;
    this.renderPager();
  }

  private cell(cell: TableCell, runId: string, lease: UrlLease, title: string): Node | string {
    if (isImageCell(cell)) return mediaImg({ ...cell, project: this.project, runId }, lease, THUMB, title, 'media-img media-thumb');
    if (cell === null || cell === undefined) return '';
    if (typeof cell === 'number') return formatNumber(cell);
    if (typeof cell === 'object') return JSON.stringify(cell);
    return String(cell);
  }

  private renderPager(): void {
    const page = this.page;
    if (!page || this.error) {
      mount(this.pager);
      return;
    }
    const total = page.totalRows;
    const go = (delta: number) => this.setView(withPage(this.view, delta, total));
    mount(this.pager,
      h('span', { class: 'muted', 'data-testid': 'table-rows' }, pageLabel(page.offset, page.rows.length, total)),
      h('button', { class: 'btn btn-xs', 'aria-label': 'Previous rows', disabled: page.offset <= 0, onclick: () => go(-1) }, '‹'),
      h('button', { class: 'btn btn-xs', 'aria-label': 'Next rows', disabled: page.offset + page.rows.length >= total, onclick: () => go(1) }, '›'));
  }

  override dispose(): void {
    super.dispose();
    this.request++;
    this.lease?.releaseAll();
    this.lease = null;
  }
}
