// The runs table: virtualised (only the rows in view exist in the DOM, so 1,000s of runs scroll
// smoothly), sticky header and first columns, sort by clicking a header, group header rows, and
// cells that edit in place (tags, notes).

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
  render(run: Run): Node | string;
  /** makes the cell editable: returns the editor element (focused by the table) */
  edit?(run: Run, done: () => void): HTMLElement;
}

export type TableRow =
  | { kind: 'run'; run: Run; color: string; visible: boolean }
  | { kind: 'group'; value: string; count: number; color: string; collapsed: boolean };

export interface TableOptions {
  rowHeight?: number;
  onSort(field: string): void;
  sortOrder(): string;
  onToggleVisible(runId: string): void;
  onToggleGroup(value: string): void;
}

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
    this.template = columns.map((c) => `${c.width}px`).join(' ');
    this.totalWidth = columns.reduce((s, c) => s + c.width, 0);
    this.renderHead();
    this.renderRange(true);
  }

  setRows(rows: TableRow[]): void {
    this.rows = rows;
    this.body.style.height = `${rows.length * this.rh}px`;
    this.body.style.width = `${this.totalWidth}px`;
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
        class: `rt-th${c.sort ? ' sortable' : ''}${sorted ? ' sorted' : ''}${c.align === 'right' ? ' right' : ''}${c.sticky ? ' sticky' : ''}`,
        role: 'columnheader',
        'data-col': c.id,
        title: c.title ?? (c.sort ? `Sort by ${c.label}` : c.label),
        'aria-sort': sorted ? (desc ? 'descending' : 'ascending') : undefined,
        onclick: c.sort ? () => this.o.onSort(c.sort!) : undefined,
      }, h('span', { class: 'rt-label' }, c.label), sorted ? h('span', { class: 'rt-arrow' }, desc ? '▼' : '▲') : null);
      if (c.sticky) cell.style.left = `${this.stickyLeft(i)}px`;
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

  private renderRow(row: TableRow, index: number): HTMLElement {
    const style = `transform:translateY(${index * this.rh}px);height:${this.rh}px;grid-template-columns:${this.template};width:${this.totalWidth}px`;
    if (row.kind === 'group') {
      return h('div', {
        class: 'rt-row rt-group', role: 'row', style, 'data-group': row.value,
        onclick: () => this.o.onToggleGroup(row.value),
      }, h('div', { class: 'rt-group-cell sticky', style: `left:0` },
        h('span', { class: `chev${row.collapsed ? '' : ' open'}` }, icon('chevron')),
        h('span', { class: 'swatch', style: `background:${row.color}` }),
        h('b', null, row.value), h('span', { class: 'muted' }, ` ${row.count} run${row.count === 1 ? '' : 's'}`)));
    }
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
