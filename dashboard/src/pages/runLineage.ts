// A run's lineage on the run page (W&B's fork_from and resume_from): the runs it was forked from,
// the runs forked from it and the times it was rewound, as a card shown only when there is any;
// and the marks these put on the run's charts (lib/lineageMarks.ts).

import { api, runName, type Lineage, type LineageRun, type Run } from '../api';
import { errorBox, stateBadge } from '../app';
import { h, mount } from '../dom';
import { ancestorChain } from '../lib/ancestry';
import { lineageMarks } from '../lib/lineageMarks';
import { formatNumber, formatTime } from '../lib/values';
import type { XMark } from '../lib/xMarks';
import { href } from '../router';

export class RunLineage {
  /** the Lineage card; hidden while the run has no ancestors, forks or rewinds */
  readonly el: HTMLElement;
  private readonly body = h('div', { class: 'run-lineage' });
  private lineage: Lineage | null = null;
  private failure: unknown = null;

  /** `onMarksChanged`: the chart marks changed (the parent's name arrived, or a rewind): draw the charts again. */
  constructor(private readonly project: string, private run: Run, private readonly onMarksChanged: () => void) {
    this.el = h('section', { class: 'card info-card', 'data-card': 'lineage', hidden: true }, h('h3', null, 'Lineage'), this.body);
    this.render();
    void this.load();
  }

  /** The run changed (its events): a rewind may have been added. */
  setRun(run: Run): void {
    const before = JSON.stringify(this.run.rewinds ?? []);
    this.run = run;
    this.render();
    if (JSON.stringify(run.rewinds ?? []) !== before) this.onMarksChanged();
  }

  /** The marks for a chart of this run against `xKey`. */
  marks(xKey: string): XMark[] {
    const parent = ancestorChain(this.run.forkedFrom, this.lineage?.ancestors)[0];
    return lineageMarks({ xKey, forkedFrom: this.run.forkedFrom, parentName: parent?.name, rewinds: this.run.rewinds });
  }

  private async load(): Promise<void> {
    try {
      this.lineage = await api.lineage(this.project, this.run.runId);
    } catch (e) {
      // The run's own forkedFrom and rewinds are still worth showing; the error goes under them.
      this.failure = e;
    }
    this.render();
    if (this.run.forkedFrom) this.onMarksChanged();
  }

  private render(): void {
    const ancestors = ancestorChain(this.run.forkedFrom, this.lineage?.ancestors);
    const forks = this.lineage?.forks ?? [];
    const rewinds = this.run.rewinds ?? [];
    // A lineage that failed to load shows only under what the run itself says (forkedFrom, rewinds).
    this.el.hidden = !ancestors.length && !forks.length && !rewinds.length;
    mount(this.body,
      ancestors.length ? h('div', { 'data-lineage': 'ancestors' }, ancestors.map((a, i) =>
        h('div', { class: 'run-lineage-line', 'data-run-id': a.runId },
          i === 0 ? 'Forked from ' : 'which was forked from ', this.link(a), ` at step ${formatNumber(a.step)}`))) : null,
      forks.length ? h('div', { 'data-lineage': 'forks' },
        h('h4', null, `Forks (${forks.length})`),
        h('ul', { class: 'artifact-list' }, forks.map((f) =>
          h('li', { class: 'run-lineage-line', 'data-run-id': f.runId },
            this.link(f), h('span', { class: 'muted' }, ` at step ${formatNumber(f.step)} `), f.state ? stateBadge(f.state) : null)))) : null,
      rewinds.length ? h('div', { 'data-lineage': 'rewinds' },
        h('h4', null, `Rewinds (${rewinds.length})`),
        h('ul', { class: 'artifact-list' }, rewinds.map((r) =>
          h('li', { class: 'run-lineage-line', 'data-step': r.step }, `Rewound to step ${formatNumber(r.step)} on ${formatTime(r.at)}`)))) : null,
      this.failure ? errorBox(this.failure) : null);
  }

  /** A link to a run of the lineage: its name, or its id when it has none (a run that no longer exists). */
  private link(r: LineageRun): HTMLElement {
    return h('a', { href: href.run(this.project, r.runId), 'data-run-id': r.runId, title: r.runId }, runName(r));
  }
}
