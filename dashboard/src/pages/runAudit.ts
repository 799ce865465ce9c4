// A run page's Audit tab: the run's event stream but its data (metrics, console, media), as the
// Query API reads it (`GET .../runs/{id}/audit`): starts, config changes, edits and which API key
// made them, resumes, finishes, crashes, refused frames, deletions and moves. Asked for again each
// time the tab is shown, so it is never stale.

import { api } from '../api';
import { errorBox } from '../app';
import { h, mount } from '../dom';

export class RunAudit {
  readonly el = h('section', { class: 'run-audit', 'data-testid': 'run-audit' });

  constructor(private readonly project: string, private readonly runId: string) {}

  async load(): Promise<void> {
    try {
      const entries = await api.audit(this.project, this.runId);
      mount(this.el, h('table', { class: 'table audit-table' },
        h('thead', null, h('tr', null, ...['When', 'What', 'Frame', 'By', 'Detail'].map((t) => h('th', null, t)))),
        h('tbody', null, ...entries.map((e) => h('tr', { 'data-kind': e.kind },
          h('td', { class: 'nowrap', title: e.at }, new Date(e.at).toLocaleString()),
          h('td', null, e.kind),
          h('td', { class: 'num' }, e.sequence == null ? '' : String(e.sequence)),
          h('td', null, h('code', null, e.by)),
          h('td', { class: 'audit-detail' }, e.detail))))));
    } catch (e) {
      mount(this.el, errorBox(e));
    }
  }
}
