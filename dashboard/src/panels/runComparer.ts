// The run comparer: the config and summary of the runs shown in charts, side by side, with the
// values that differ highlighted; "only differences" hides the rest.

import type { Run } from '../api';
import { h, mount } from '../dom';
import { diffRuns } from '../lib/runDiff';
import { formatValue } from '../lib/values';

export interface ComparerHost {
  runs(): Run[];
  colorOf(runId: string): string;
  nameOf(run: Run): string;
}

/** More columns than this are unreadable side by side; the comparer says how many it left out. */
export const MAX_COMPARED = 8;

export class RunComparer {
  readonly el: HTMLElement;
  private readonly body = h('div', { class: 'comparer-body' });
  private readonly note = h('span', { class: 'panel-note' });
  private onlyDifferences = true;

  constructor(private readonly host: ComparerHost) {
    const toggle = h('label', { class: 'inline-label small' },
      h('input', {
        type: 'checkbox', checked: true, 'aria-label': 'Only differences',
        onchange: (e: Event) => {
          this.onlyDifferences = (e.target as HTMLInputElement).checked;
          this.render();
        },
      }), 'only differences');
    this.el = h('div', { class: 'panel panel-wide', 'data-panel': 'comparer' },
      h('div', { class: 'panel-head' }, h('span', { class: 'panel-title' }, 'Run comparer'), this.note, h('span', { class: 'panel-tools' }, toggle)),
      this.body);
  }

  render(): void {
    const all = this.host.runs();
    const runs = all.slice(0, MAX_COMPARED);
    if (runs.length < 2) {
      this.note.textContent = '';
      mount(this.body, h('div', { class: 'empty' }, 'Show two or more runs in charts to compare them.'));
      return;
    }
    const rows = diffRuns(runs, { onlyDifferences: this.onlyDifferences });
    const differing = this.onlyDifferences ? rows.length : rows.filter((r) => r.differs).length;
    this.note.textContent = `${runs.length} runs${all.length > runs.length ? ` (first ${MAX_COMPARED} of ${all.length})` : ''} · ${differing} differ`;
    mount(this.body, h('table', { class: 'comparer' },
      h('thead', null, h('tr', null, h('th', null, 'Field'),
        runs.map((r) => h('th', { 'data-run-id': r.runId }, h('span', { class: 'swatch', style: `background:${this.host.colorOf(r.runId)}` }), this.host.nameOf(r))))),
      h('tbody', null, rows.length
        ? rows.map((row) => h('tr', { class: row.differs ? 'differs' : '', 'data-field': row.field },
          h('th', { title: row.field }, row.field),
          row.values.map((v) => h('td', null, formatValue(v)))))
        : h('tr', null, h('td', { colspan: runs.length + 1, class: 'muted' }, 'These runs have the same config and summary.')))));
  }
}
