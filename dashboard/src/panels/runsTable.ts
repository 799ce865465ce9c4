// The runs table: virtualised (only the rows in view exist in the DOM, so 1,000s of runs scroll
// smoothly), sticky header and first columns, sort by clicking a header, group header rows, and
// cells that edit in place (tags, notes). Headers can be dragged onto one another (movable
// columns) and resized by their right edge; the owner keeps both.

import type { Run } from '../api';
import { h, icon, rafThrottle } from '../dom';

export interface Column {
  id: string;
  label: string;
  width: number;
  /** the `order` field; not sortable when absent */
  sort?: string;
  align?: 'left' | 'right';
  sticky?: boolean;
  title?: string;
  /** a muted word before the label: where the value comes from (config, summary) */
  prefix?: string;
  /** can be dragged to another movable column's place */
  movable?: boolean;
  render(run: Run): Node | string;
  /** makes the cell editable: returns the editor element (focused by the table) */
  edit?(run: Run, done: () => void): HTMLElement;
}

export type TableRow =
  | { kind: 'run'; run: Run; color: string; visible: boolean }
  | {
    kind: 'group'; value: string; count: number; color: string; collapsed: boolean;
    /** of `count`, the runs shown in charts (the group's lines are of these) */
    shown?: number;
    /** per column id: what the group's runs add up to there (a mean, a range) */
    aggregates?: Record<string, { text: string; title: string }>;
  };

export interface TableOptions {
  rowHeight?: number;
  onSort(field: string): void;
  sortOrder(): string;
  onToggleVisible(runId: string): void;
  onToggleGroup(value: string): void;
  /** a column's edge was dragged to this width */
  onResize?(id: string, width: number): void;
  /** a movable column was dropped onto another */
  onMove?(id: string, target: string): void;
}

const DRAG_TYPE = 'application/x-runstream-column';
const MIN_COL = 40;

const OVERSCAN = 8;

export class RunsTable {
  readonly el: HTMLElement;
  private readonly head: HTMLElement;
  private readonly body: HTMLElement;
  private columns: Column[] = [];
  private rows: TableRow[] = [];
  private template = '';
  private totalWidth = 0;
  private rendered = new Map<string, { el: HTMLElement; index: number }>();
  private editing: { key: string; col: string } | null = null;
  private readonly rh: number;

  constructor(private readonly o: TableOptions) {
    this.rh = o.rowHeight ?? 32;
    this.head = h('div', { class: 'rt-head', role: 'row' });
    this.body = h('div', { class: 'rt-body', role: 'rowgroup' });
    this.el = h('div', { class: 'rt', role: 'table', 'aria-label': 'Runs' }, this.head, this.body);
    const onScroll = rafThrottle(() => this.renderRange(false));
    this.el.addEventListener('scroll', onScroll, { passive: true });
    new ResizeObserver(onScroll).observe(this.el);
  }

  setColumns(columns: Column[]): void {
    this.columns = columns;
    this.layout();
    this.renderHead();
    this.renderRange(true);
  }

  private layout(): void {
    this.template = this.columns.map((c) => `${c.width}px`).join(' ');
    this.totalWidth = this.columns.reduce((s, c) => s + c.width, 0);
    this.body.style.width = `${this.totalWidth}px`;
  }

  /** While an edge is dragged: the widths change in place, without redrawing a cell. */
  private relayout(): void {
    this.layout();
    this.head.style.gridTemplateColumns = this.template;
    this.head.style.width = `${this.totalWidth}px`;
    for (const { el } of this.rendered.values()) {
      el.style.gridTemplateColumns = this.template;
      el.style.width = `${this.totalWidth}px`;
    }
  }

  private startResize(e: PointerEvent, col: Column, handle: HTMLElement): void {
    e.preventDefault();
    e.stopPropagation();
    handle.setPointerCapture(e.pointerId);
    const x0 = e.clientX;
    const w0 = col.width;
    const move = (ev: PointerEvent) => {
      col.width = Math.max(MIN_COL, Math.round(w0 + ev.clientX - x0));
      this.relayout();
    };
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
      if (col.width !== w0) this.o.onResize?.(col.id, col.width);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  }

  private dragHandlers(cell: HTMLElement, c: Column): void {
    cell.draggable = true;
    cell.addEventListener('dragstart', (e) => {
      e.dataTransfer?.setData(DRAG_TYPE, c.id);
      if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
    });
    cell.addEventListener('dragover', (e) => {
      if (!e.dataTransfer?.types.includes(DRAG_TYPE)) return;
      e.preventDefault();
      cell.classList.add('drop-target');
    });
    cell.addEventListener('dragleave', () => cell.classList.remove('drop-target'));
    cell.addEventListener('drop', (e) => {
      cell.classList.remove('drop-target');
      const id = e.dataTransfer?.getData(DRAG_TYPE);
      if (!id || id === c.id) return;
      e.preventDefault();
      this.o.onMove?.(id, c.id);
    });
  }

  setRows(rows: TableRow[]): void {
    this.rows = rows;
    this.body.style.height = `${rows.length * this.rh}px`;
    this.renderRange(true);
  }

  /** Redraws the header (the sort arrow moved). */
  renderHead(): void {
    const order = this.o.sortOrder();
    const desc = order.startsWith('-');
    const field = order.replace(/^-/, '');
    this.head.style.gridTemplateColumns = this.template;
    this.head.style.width = `${this.totalWidth}px`;
    this.head.replaceChildren(...this.columns.map((c, i) => {
      const sorted = c.sort !== undefined && c.sort === field;
      const cell = h('div', {
        class: `rt-th${c.sort ? ' sortable' : ''}${sorted ? ' sorted' : ''}${c.align === 'right' ? ' right' : ''}${c.sticky ? ' sticky' : ''}${c.prefix ? ' prefixed' : ''}`,
        role: 'columnheader',
        'data-col': c.id,
        title: c.title ?? (c.sort ? `Sort by ${c.label}` : c.label),
        'aria-sort': sorted ? (desc ? 'descending' : 'ascending') : undefined,
        onclick: c.sort ? () => this.o.onSort(c.sort!) : undefined,
      },
      // The source goes on a line of its own above the key, so the key keeps the column's width.
      c.prefix ? h('span', { class: 'rt-prefix' }, c.prefix) : null,
      h('span', { class: 'rt-main' }, h('span', { class: 'rt-label' }, c.label), sorted ? h('span', { class: 'rt-arrow' }, desc ? '▼' : '▲') : null));
      if (c.sticky) cell.style.left = `${this.stickyLeft(i)}px`;
      if (c.movable && this.o.onMove) this.dragHandlers(cell, c);
      if (this.o.onResize && c.label) {
        const handle = h('span', { class: 'rt-resize', title: 'Drag to resize', 'aria-hidden': 'true' });
        handle.addEventListener('pointerdown', (e) => this.startResize(e, c, handle));
        handle.addEventListener('click', (e) => e.stopPropagation());
        handle.draggable = false;
        handle.addEventListener('dragstart', (e) => { e.preventDefault(); e.stopPropagation(); });
        cell.append(handle);
      }
      return cell;
    }));
  }

  private stickyLeft(i: number): number {
    let left = 0;
    for (let j = 0; j < i; j++) if (this.columns[j].sticky) left += this.columns[j].width;
    return left;
  }

  private key(row: TableRow): string {
    return row.kind === 'run' ? `r:${row.run.runId}` : `g:${row.value}`;
  }

  /** Re-renders the rows in view; `all` also redraws rows that are already there (their data changed). */
  renderRange(all: boolean): void {
    const top = this.el.scrollTop;
    const height = this.el.clientHeight || 600;
    const start = Math.max(0, Math.floor(top / this.rh) - OVERSCAN);
    const end = Math.min(this.rows.length, Math.ceil((top + height) / this.rh) + OVERSCAN);
    const keep = new Set<string>();
    for (let i = start; i < end; i++) {
      const row = this.rows[i];
      const key = this.key(row);
      keep.add(key);
      const existing = this.rendered.get(key);
      const isEditing = this.editing?.key === key;
      if (existing && (!all || isEditing)) {
        if (existing.index !== i) {
          existing.el.style.transform = `translateY(${i * this.rh}px)`;
          existing.index = i;
        }
        continue;
      }
      const el = this.renderRow(row, i);
      if (existing) existing.el.replaceWith(el);
      else this.body.appendChild(el);
      this.rendered.set(key, { el, index: i });
    }
    for (const [key, r] of this.rendered) {
      if (!keep.has(key)) {
        if (this.editing?.key === key) this.editing = null;
        r.el.remove();
        this.rendered.delete(key);
      }
    }
  }

  /** Redraws one run's row if it is in view. */
  refreshRun(runId: string): void {
    const key = `r:${runId}`;
    const r = this.rendered.get(key);
    if (!r || this.editing?.key === key) return;
    const row = this.rows[r.index];
    if (!row || this.key(row) !== key) return;
    const el = this.renderRow(row, r.index);
    r.el.replaceWith(el);
    r.el = el;
  }

  scrollToTop(): void {
    this.el.scrollTop = 0;
  }

  /** A group's header: its name and count over the first columns, then per column what its runs add up to. */
  private renderGroup(row: Extract<TableRow, { kind: 'group' }>, style: string): HTMLElement {
    const aggregates = row.aggregates ?? {};
    // The name spans the columns up to the first one with an aggregate.
    let span = this.columns.findIndex((c) => aggregates[c.id]);
    if (span < 0) span = this.columns.length;
    span = Math.max(1, span);
    const cells = this.columns.slice(span).map((c) => {
      const a = aggregates[c.id];
      return h('div', { class: `rt-td${c.align === 'right' ? ' right' : ''}`, role: 'cell', 'data-col': c.id, title: a?.title }, a?.text ?? '');
    });
    return h('div', {
      class: 'rt-row rt-group', role: 'row', style, 'data-group': row.value,
      onclick: () => this.o.onToggleGroup(row.value),
    }, h('div', { class: 'rt-group-cell sticky', style: `left:0;grid-column:1 / span ${span}` },
      h('span', { class: `chev${row.collapsed ? '' : ' open'}` }, icon('chevron')),
      h('span', { class: 'swatch', style: `background:${row.color}` }),
      h('b', null, row.value), h('span', { class: 'muted', 'data-testid': 'group-count' }, ` ${row.count} run${row.count === 1 ? '' : 's'}`),
      row.shown !== undefined && row.shown !== row.count ? h('span', { class: 'muted', 'data-testid': 'group-shown' }, ` (${row.shown} in charts)`) : null),
    cells);
  }

  private renderRow(row: TableRow, index: number): HTMLElement {
    const style = `transform:translateY(${index * this.rh}px);height:${this.rh}px;grid-template-columns:${this.template};width:${this.totalWidth}px`;
    if (row.kind === 'group') return this.renderGroup(row, style);
    const run = row.run;
    const key = this.key(row);
    const el = h('div', {
      class: `rt-row${row.visible ? '' : ' hidden-run'}${index % 2 ? ' odd' : ''}`, role: 'row', style, 'data-run-id': run.runId,
    });
    this.columns.forEach((c, i) => {
      const cell = h('div', {
        class: `rt-td${c.align === 'right' ? ' right' : ''}${c.sticky ? ' sticky' : ''}${c.edit ? ' editable' : ''}`,
        role: 'cell', 'data-col': c.id,
      });
      if (c.sticky) cell.style.left = `${this.stickyLeft(i)}px`;
      if (c.id === '_vis') {
        cell.append(
          h('button', {
            class: 'vis-btn', title: row.visible ? 'Shown in charts: click to hide' : 'Hidden from charts: click to show',
            'aria-pressed': row.visible ? 'true' : 'false', 'aria-label': row.visible ? 'Hide from charts' : 'Show in charts',
            onclick: (e: Event) => {
              e.stopPropagation();
              this.o.onToggleVisible(run.runId);
            },
          }, icon(row.visible ? 'eye' : 'eye-off')),
          h('span', { class: 'swatch', style: `background:${row.visible ? row.color : 'var(--swatch-off)'}` }));
      } else {
        const content = c.render(run);
        cell.append(content);
        if (typeof content === 'string' && content) cell.title = content;
      }
      if (c.edit) {
        cell.addEventListener('click', (e) => {
          if ((e.target as HTMLElement).closest('a,input,textarea,button.chip-x')) return;
          if (this.editing?.key === key && this.editing.col === c.id) return;
          this.editing = { key, col: c.id };
          el.classList.add('editing');
          const editor = c.edit!(run, () => {
            this.editing = null;
            this.refreshRun(run.runId);
          });
          cell.replaceChildren(editor);
          cell.classList.add('is-editing');
          (editor.matches('input,textarea') ? editor : editor.querySelector<HTMLElement>('input,textarea'))?.focus();
        });
      }
      el.appendChild(cell);
    });
    return el;
  }
}
