// A filter builder: rows of [field] [operator] [value], ANDed, for those who would rather not write
// the filter JSON. The model (rows <-> filter) is lib/filterBuilder.ts; this is only the form.
//
//   const builder = new FilterBuilder({
//     fields: () => ({ config: ['lr', 'optimizer.name'], summary: ['acc'], tags: ['baseline'] }),
//     onApply: (filter) => { /* the filter (null: no filter), already checked by checkFilter */ },
//   });
//   pane.append(builder.el);
//   builder.set(currentFilter);   // shows it as rows, or "edit this filter as JSON" when it cannot
//
// `fields` is called whenever the rows are drawn, so the lists can grow as runs arrive.

import { h, icon, mount } from './dom';
import {
  RUN_FIELDS, STATES, fieldKind, fromFilter, isComplete, needsValue, opLabel, opsFor, toFilter, type Condition,
} from './lib/filterBuilder';
import { checkFilter, type Filter } from './lib/filters';

export interface FilterFields {
  config: string[];
  summary: string[];
  tags: string[];
}

export interface FilterBuilderOptions {
  fields: () => FilterFields;
  onApply: (filter: Filter | null) => void;
}

let ids = 0;

export class FilterBuilder {
  readonly el: HTMLElement;
  private rows: Condition[] = [];
  /** set when the filter shown cannot be rows */
  private unrepresentable = false;
  private readonly rowsEl = h('div', { class: 'fb-rows' });
  private readonly message = h('div', { class: 'fb-message muted', hidden: true });
  private readonly error = h('div', { class: 'form-error', role: 'alert' });
  private readonly addButton: HTMLButtonElement;
  private readonly applyButton: HTMLButtonElement;

  constructor(private readonly options: FilterBuilderOptions) {
    this.addButton = h('button', { type: 'button', class: 'btn btn-xs', onclick: () => this.add() }, '+ Add condition');
    this.applyButton = h('button', { type: 'button', class: 'btn btn-sm btn-primary', onclick: () => this.apply() }, 'Apply');
    this.el = h('div', { class: 'filter-builder', role: 'group', 'aria-label': 'Filter builder' },
      this.message,
      this.rowsEl,
      h('div', { class: 'fb-actions' },
        this.addButton,
        h('span', { class: 'spacer' }),
        this.applyButton),
      this.error);
    this.render();
  }

  /** Shows a filter: as rows when it is a flat AND of conditions, else a note to edit it as JSON. */
  set(filter: Filter | null): void {
    const rows = fromFilter(filter);
    this.unrepresentable = rows === null;
    this.rows = rows ?? [];
    this.error.textContent = '';
    this.render();
  }

  /** The rows' filter (null when there is no complete row). */
  filter(): Filter | null {
    return toFilter(this.rows);
  }

  private add(): void {
    if (this.unrepresentable) this.rows = []; // "Start a new filter"
    this.unrepresentable = false;
    const field = this.defaultField();
    this.rows.push({ field, op: opsFor(field)[0], value: '' });
    this.render();
    this.rowsEl.querySelector<HTMLElement>('.fb-row:last-child [aria-label="Filter value"]')?.focus();
  }

  private defaultField(): string {
    const f = this.options.fields();
    return f.config[0] ? `config.${f.config[0]}` : f.summary[0] ? `summary.${f.summary[0]}` : 'name';
  }

  private apply(): void {
    if (this.unrepresentable) return; // nothing shown: the JSON box holds the filter
    const incomplete = this.rows.filter((r) => !isComplete(r)).length;
    const filter = this.filter();
    const problem = filter ? checkFilter(filter) : null;
    this.error.textContent = problem ?? (incomplete ? `${incomplete === 1 ? 'A condition without a value was' : `${incomplete} conditions without a value were`} left out.` : '');
    if (!problem) this.options.onApply(filter);
  }

  private render(): void {
    this.message.hidden = !this.unrepresentable;
    this.addButton.textContent = this.unrepresentable ? 'Start a new filter' : '+ Add condition';
    this.applyButton.disabled = this.unrepresentable;
    if (this.unrepresentable) {
      this.message.textContent = 'This filter has $or, $not or other conditions the builder cannot show: edit this filter as JSON.';
      mount(this.rowsEl);
      return;
    }
    const fields = this.options.fields();
    mount(this.rowsEl, this.rows.length
      ? this.rows.map((row, i) => this.rowEl(row, i, fields))
      : h('div', { class: 'fb-empty muted' }, 'No conditions: every run.'));
  }

  private rowEl(row: Condition, index: number, fields: FilterFields): HTMLElement {
    const change = (patch: Partial<Condition>, redraw = false) => {
      Object.assign(row, patch);
      if (redraw) this.render();
    };
    return h('div', { class: 'fb-row', 'data-index': index },
      this.fieldSelect(row, fields, (field) => {
        const ops = opsFor(field);
        const kind = fieldKind(field);
        const keepValue = kind === fieldKind(row.field);
        change({ field, op: ops.includes(row.op) ? row.op : ops[0], value: keepValue ? row.value : '' }, true);
      }),
      h('select', {
        class: 'select select-sm fb-op', 'aria-label': 'Filter operator',
        onchange: (e: Event) => change({ op: (e.target as HTMLSelectElement).value as Condition['op'] }, true),
      }, opsFor(row.field).map((op) => h('option', { value: op, selected: op === row.op }, opLabel(row.field, op)))),
      this.valueInput(row, fields, (value) => change({ value })),
      h('button', {
        type: 'button', class: 'btn btn-xs btn-icon', title: 'Remove this condition', 'aria-label': 'Remove condition',
        onclick: () => {
          this.rows.splice(index, 1);
          this.render();
        },
      }, icon('x')));
  }

  private fieldSelect(row: Condition, fields: FilterFields, onchange: (field: string) => void): HTMLSelectElement {
    const group = (label: string, options: [string, string][]) => options.length
      ? h('optgroup', { label }, options.map(([value, text]) => h('option', { value, selected: value === row.field }, text)))
      : null;
    const known = new Set([...RUN_FIELDS.map(([f]) => f), ...fields.config.map((k) => `config.${k}`), ...fields.summary.map((k) => `summary.${k}`)]);
    const extra = row.field && !known.has(row.field) ? [[row.field, row.field] as [string, string]] : [];
    const s = h('select', {
      class: 'select select-sm fb-field', 'aria-label': 'Filter field',
      onchange: () => onchange(s.value),
    },
    group('Run', [...RUN_FIELDS]),
    group('Config', fields.config.map((k) => [`config.${k}`, `config.${k}`])),
    group('Summary', fields.summary.map((k) => [`summary.${k}`, `summary.${k}`])),
    group('Other', extra));
    s.value = row.field;
    return s;
  }

  private valueInput(row: Condition, fields: FilterFields, onchange: (value: string) => void): HTMLElement {
    if (!needsValue(row.op)) return h('span', { class: 'fb-value fb-novalue' });
    const kind = fieldKind(row.field);
    const list = row.op === 'in' || row.op === 'nin';
    const onkeydown = (e: KeyboardEvent) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        onchange((e.target as HTMLInputElement).value);
        this.apply();
      }
    };
    if (kind === 'state' && !list) {
      if (!row.value) row.value = STATES[0];
      const s = h('select', { class: 'select select-sm fb-value', 'aria-label': 'Filter value', onchange: () => onchange(s.value) },
        STATES.map((st) => h('option', { value: st, selected: st === row.value }, st)));
      s.value = row.value;
      return s;
    }
    const suggestions = kind === 'state' ? [...STATES] : kind === 'tags' && (row.op === 'eq' || row.op === 'ne' || list) ? fields.tags : [];
    const listId = suggestions.length ? `fb-list-${++ids}` : undefined;
    const placeholder = list ? 'a, b, c' : row.op === 'contains' ? 'text' : row.op === 'regex' ? 'regular expression'
      : kind === 'time' ? '2026-01-31' : kind === 'typed' ? 'value (quote for text: "0.5")' : 'value';
    const input = h('input', {
      class: 'input input-sm fb-value', 'aria-label': 'Filter value', value: row.value, placeholder, list: listId,
      spellcheck: 'false', autocomplete: 'off',
      oninput: () => onchange(input.value), onkeydown,
    });
    return listId
      ? h('span', { class: 'fb-value-wrap' }, input, h('datalist', { id: listId }, suggestions.map((t) => h('option', { value: t }))))
      : input;
  }
}
