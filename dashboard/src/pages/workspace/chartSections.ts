// The line panels' sections: a collapsible block per key prefix (lib/panelSections decides which
// and in what order), opened and closed through the workspace state so a link keeps them so. The
// media panels' sections (mediaSections.ts) are laid out by it too, in a grid of their own.

import { h } from '../../dom';
import { isSectionOpen, setSectionOpen, SYSTEM_SECTION, type PanelSection } from '../../lib/panelSections';
import type { WorkspaceContext } from './context';

interface SectionView {
  el: HTMLDetailsElement;
  count: HTMLElement;
  grid: HTMLElement;
}

/** A <details> section whose open state lives in the workspace state; used by the compare panels too. */
export function stateSection(ctx: WorkspaceContext, id: string, summary: HTMLElement, body: HTMLElement, cls = ''): HTMLDetailsElement {
  const el = h('details', { class: `ws-section ${cls}`.trim(), 'data-section': id }, summary, body);
  el.open = isSectionOpen(ctx.state.sections, id);
  el.addEventListener('toggle', () => {
    // Setting `open` from the state fires this too: only a change by hand goes to the state.
    if (el.open !== isSectionOpen(ctx.state.sections, id)) ctx.setState({ sections: setSectionOpen(ctx.state.sections, id, el.open) });
  });
  return el;
}

export class ChartSections {
  readonly el = h('div', { class: 'ws-sections' });
  private readonly views = new Map<string, SectionView>();

  constructor(private readonly ctx: WorkspaceContext, private readonly gridClass = 'panel-grid line-grid sized') {}

  /** Lays the panels out in their sections (moving an element only when its place changed). */
  render(sections: readonly PanelSection[], panelEl: (key: string) => HTMLElement, empty: string | null): void {
    const wanted = new Set(sections.map((s) => s.id));
    for (const [id, v] of this.views) {
      if (wanted.has(id)) continue;
      v.el.remove();
      this.views.delete(id);
    }
    const els: HTMLElement[] = [];
    for (const s of sections) {
      const v = this.view(s.id, s.title);
      v.count.textContent = `(${s.keys.length})`;
      const children = s.keys.map(panelEl);
      const current = [...v.grid.children];
      if (current.length !== children.length || current.some((c, i) => c !== children[i])) v.grid.replaceChildren(...children);
      els.push(v.el);
    }
    if (empty) els.push(h('div', { class: 'empty' }, empty));
    const current = [...this.el.children];
    if (current.length !== els.length || current.some((c, i) => c !== els[i])) this.el.replaceChildren(...els);
  }

  /** The state's open and closed sections, after a change of the state. */
  syncOpen(): void {
    for (const [id, v] of this.views) v.el.open = isSectionOpen(this.ctx.state.sections, id);
  }

  private view(id: string, title: string): SectionView {
    let v = this.views.get(id);
    if (v) return v;
    const count = h('span', { class: 'section-count' });
    const grid = h('div', { class: this.gridClass });
    const summary = h('summary', { class: 'section-head' }, h('span', { class: 'section-title' }, title), ' ', count);
    // System metrics keep their older class (and look).
    const el = stateSection(this.ctx, id, summary, grid, id === SYSTEM_SECTION ? 'ws-system' : '');
    v = { el, count, grid };
    this.views.set(id, v);
    return v;
  }
}
