// The runs pane's filter area: the Filter button and, under it, the filter builder (field,
// operator, value rows) and the JSON box for the filter language's full reach. Both edit the
// same `filter` of the state and both show it: applying one redraws the other.

import { ApiError } from '../../api';
import { FilterBuilder } from '../../filterBuilder';
import { h, icon, mount } from '../../dom';
import { parseFilter, type Filter } from '../../lib/filters';
import { tableFilter, type WorkspaceState } from '../../lib/urlState';
import type { WorkspaceContext } from './context';

export class FilterArea {
  readonly box = h('div', { class: 'filter-box', hidden: true });
  readonly button: HTMLButtonElement;
  private readonly text: HTMLTextAreaElement;
  private readonly error = h('div', { class: 'form-error', role: 'alert' });
  private readonly queryView = h('code', { class: 'query-view' });
  private readonly builder: FilterBuilder;

  constructor(private readonly ctx: WorkspaceContext, tags: () => string[]) {
    const s = ctx.state;
    this.text = h('textarea', {
      class: 'filter-json', rows: 3, spellcheck: 'false', 'aria-label': 'Filter (JSON)',
      placeholder: '{"config.learning_rate": {"$lt": 0.1}, "summary.accuracy": {"$gt": 0.9}}',
      onkeydown: (e: KeyboardEvent) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) this.applyText();
      },
    });
    this.text.value = s.filter;
    this.box.hidden = !s.filter;
    this.builder = new FilterBuilder({
      fields: () => ({ config: ctx.keys.configKeys(), summary: ctx.keys.summaryKeys(), tags: tags() }),
      onApply: (filter) => this.setFilter(filter),
    });
    this.builder.set(parseFilter(s.filter).filter);
    this.button = h('button', {
      class: 'btn btn-sm', title: 'Filter the runs',
      onclick: () => {
        this.box.hidden = !this.box.hidden;
      },
    }, icon('filter'), 'Filter');
    this.build();
  }

  stateChanged(changed: (k: keyof WorkspaceState) => boolean): void {
    if (!changed('filter')) return;
    const s = this.ctx.state;
    if (this.text !== document.activeElement) this.text.value = s.filter;
    const parsed = parseFilter(s.filter);
    if (!parsed.error) this.builder.set(parsed.filter);
  }

  renderControls(): void {
    const s = this.ctx.state;
    const active = parseFilter(s.filter).filter;
    this.button.classList.toggle('on', !!active);
    this.button.title = active ? `Filter: ${JSON.stringify(active)}` : 'Filter the runs';
    const q = tableFilter(s);
    this.queryView.textContent = q ? JSON.stringify(q) : '(none: every run)';
  }

  loading(): void {
    this.error.textContent = parseFilter(this.ctx.state.filter).error ?? '';
  }

  loaded(): void {
    if (!parseFilter(this.ctx.state.filter).error) this.error.textContent = '';
  }

  /** The server refused the filter: shown where it is typed; true when that was the trouble. */
  refused(e: unknown): boolean {
    if (!(e instanceof ApiError && e.status === 400)) return false;
    this.error.textContent = e.detail ?? e.message;
    this.box.hidden = false;
    return true;
  }

  private setFilter(filter: Filter | null): void {
    // Kept compact in the URL; the JSON box shows the same filter the builder made.
    const text = filter ? JSON.stringify(filter) : '';
    this.text.value = text;
    this.error.textContent = '';
    this.ctx.setState({ filter: text });
  }

  private build(): void {
    const example = (label: string, f: () => Filter) => h('button', {
      class: 'btn btn-xs', onclick: () => {
        this.text.value = JSON.stringify(f());
        this.text.focus();
      },
    }, label);
    const firstConfig = () => this.ctx.keys.configKeys()[0] ?? 'learning_rate';
    const firstMetric = () => this.ctx.keys.metric() || 'accuracy';
    mount(this.box,
      this.builder.el,
      h('details', { class: 'filter-json-wrap', open: true },
        h('summary', { class: 'muted small' }, 'As JSON'),
        h('div', { class: 'filter-help' }, 'MongoDB-style JSON: ',
          h('code', null, 'config.<key>'), ', ', h('code', null, 'summary.<key>'), ', ', h('code', null, 'tags'), ', ', h('code', null, 'state'),
          ' with ', h('code', null, '$gt $lt $in $regex $exists $or …'), '. Ctrl+Enter applies.'),
        this.text,
        h('div', { class: 'row' },
          h('button', { class: 'btn btn-primary btn-sm', 'data-testid': 'filter-json-apply', onclick: () => this.applyText() }, 'Apply'),
          h('button', { class: 'btn btn-sm', onclick: () => this.setFilter(null) }, 'Clear'),
          h('span', { class: 'muted small' }, 'Examples:'),
          h('span', { class: 'examples' },
            example('config <', () => ({ [`config.${firstConfig()}`]: { $lt: 0.1 } })),
            example('summary >', () => ({ [`summary.${firstMetric()}`]: { $gt: 0.9 } })),
            example('tag', () => ({ tags: { $in: ['baseline'] } })),
            example('or', () => ({ $or: [{ state: 'running' }, { state: 'crashed' }] }))))),
      this.error,
      h('div', { class: 'query-line' }, h('span', { class: 'muted small' }, 'Query sent: '), this.queryView));
  }

  private applyText(): void {
    const { filter, error } = parseFilter(this.text.value);
    this.error.textContent = error ?? '';
    if (error) return;
    this.builder.set(filter);
    this.ctx.setState({ filter: filter ? JSON.stringify(filter) : '' });
  }
}
