// The compare section, after the line charts: parallel coordinates (brushing them narrows the runs),
// parameter importance, a scatter of any two fields and a run comparer, over the runs shown in
// charts. Before anyone chooses, it shows what a sweep is judged by (lib/compareDefaults through
// the keys). Closed, it keeps out of the line charts' way; the state remembers it. Each chart loads
// when it comes into view, again when marked stale.

import type { Run } from '../../api';
import { h, mount, select } from '../../dom';
import { isSectionOpen } from '../../lib/panelSections';
import { isVisible } from '../../lib/urlState';
import { RunComparer } from '../../panels/runComparer';
import { ScatterPanel } from '../../panels/scatterPanel';
import { stateSection } from './chartSections';
import type { WorkspaceContext } from './context';
import { ImportancePanel } from './importancePanel';
import { ParallelPanel } from './parallelPanel';
import './compare.css';

export const COMPARE_SECTION = 'compare';

export class ComparePanels {
  readonly el: HTMLDetailsElement;
  private readonly parallel: ParallelPanel;
  private readonly importance: ImportancePanel;
  private readonly scatter: ScatterPanel;
  private readonly comparer: RunComparer;
  /** the scatter's fields as last given to it: the state or the defaults may move them */
  private scatterFields: [string, string];
  /** in the section's head, so a brush narrowing the table shows (and clears) with the section closed */
  private readonly brushChip = h('span', { class: 'chip on brush-chip', 'data-brush-chip': '', hidden: true });

  constructor(private readonly ctx: WorkspaceContext) {
    this.parallel = new ParallelPanel(ctx);
    this.importance = new ImportancePanel(ctx);
    const nameOf = (run: Run) => run.name ?? run.runId;
    const colorOf = (runId: string) => ctx.runColors.get(runId);
    this.scatterFields = [ctx.keys.scatterX(), ctx.keys.scatterY()];
    this.scatter = new ScatterPanel({
      fields: () => [...ctx.keys.configKeys().map((k) => `config.${k}`), ...ctx.keys.summaryKeys().map((k) => `summary.${k}`)],
      runs: () => this.chartedRuns(),
      colorOf,
      nameOf,
      setFields: (x, y) => ctx.setState({ sx: x, sy: y }),
    }, ...this.scatterFields);
    this.comparer = new RunComparer({ runs: () => this.chartedRuns(), colorOf, nameOf });
    this.parallel.el.classList.add('panel-span');
    this.comparer.el.classList.add('panel-span');
    const grid = h('div', { class: 'panel-grid compare-grid' }, this.parallel.el, this.importance.el, this.scatter.el, this.comparer.el);
    const summary = h('summary', { class: 'section-head' }, h('span', { class: 'section-title' }, 'Compare'),
      h('span', { class: 'muted section-note' }, 'runs shown in charts'), this.brushChip);
    this.el = stateSection(ctx, COMPARE_SECTION, summary, grid, 'ws-compare');
  }

  /** Opened or closed by the state (a link, back or forward). */
  syncOpen(): void {
    this.el.open = isSectionOpen(this.ctx.state.sections, COMPARE_SECTION);
  }

  /** Called on every change of state: also where the scatter learns of new fields (from the state or the defaults). */
  renderControls(): void {
    const keys = this.ctx.keys;
    const metricSelect = () => select(keys.summaryKeys().map((k): [string, string] => [k, k]), keys.metric(),
      (v) => this.ctx.setState({ metric: v }), { class: 'select select-sm', 'aria-label': 'Metric' });
    this.parallel.renderControls(metricSelect());
    this.importance.renderControls(metricSelect());
    const brushed = Object.keys(this.ctx.state.brush).length;
    this.brushChip.hidden = !brushed;
    mount(this.brushChip, `brushed: ${brushed} ${brushed === 1 ? 'axis' : 'axes'}`, h('button', {
      class: 'chip-x', title: 'Clear brush', 'aria-label': 'Clear brush',
      onclick: (e: Event) => {
        e.preventDefault(); // a click in <summary> would fold the section too
        this.ctx.setState({ brush: {} });
      },
    }, '\u00d7'));
    const fields: [string, string] = [keys.scatterX(), keys.scatterY()];
    if (fields.join('\n') !== this.scatterFields.join('\n')) {
      this.scatterFields = fields;
      this.scatter.setFields(...fields);
    }
  }

  /** The runs or the choices changed: reload what is in view, the rest when it comes into view. */
  refresh(): void {
    this.parallel.refresh();
    this.importance.refresh();
    this.scatter.render();
    this.comparer.render();
  }

  dispose(): void {
    this.parallel.dispose();
    this.importance.dispose();
    this.scatter.dispose();
  }

  /** The loaded runs that are shown in charts, in the table's order. */
  private chartedRuns(): Run[] {
    return this.ctx.runs.filter((r) => isVisible(this.ctx.state, r.runId));
  }
}
