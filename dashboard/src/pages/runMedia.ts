// A run page's Media section: the run's images, tables and histograms (the workspace's media
// panels, of this one run), in sections by key prefix. Its keys are asked for again, once for a
// burst, when the run moves on.

import { api } from '../api';
import { h, mount } from '../dom';
import type { PanelSection } from '../lib/panelSections';
import type { MediaKey } from '../lib/mediaTypes';
import { MediaBoard, type BoardRun, type MediaSectionsView } from './workspace/mediaBoard';

const LIVE_DELAY_MS = 2000;

/** Sections open by default, folded by hand (the run page keeps no state in its URL). */
class PlainSections implements MediaSectionsView {
  readonly el = h('div', { class: 'ws-sections' });
  private readonly views = new Map<string, { el: HTMLDetailsElement; grid: HTMLElement; count: HTMLElement }>();

  render(sections: readonly PanelSection[], panelEl: (key: string) => HTMLElement): void {
    const els = sections.map((s) => {
      let v = this.views.get(s.id);
      if (!v) {
        const grid = h('div', { class: 'panel-grid media-grid' });
        const count = h('span', { class: 'section-count' });
        const el = h('details', { class: 'ws-section', 'data-section': s.id, open: true },
          h('summary', { class: 'section-head' }, h('span', { class: 'section-title' }, s.title), ' ', count), grid);
        el.open = true;
        this.views.set(s.id, (v = { el, grid, count }));
      }
      v.count.textContent = `(${s.keys.length})`;
      const panels = s.keys.map(panelEl);
      if (panels.some((p, i) => v!.grid.children[i] !== p) || v.grid.children.length !== panels.length) v.grid.replaceChildren(...panels);
      return v.el;
    });
    if (els.some((e, i) => this.el.children[i] !== e) || this.el.children.length !== els.length) this.el.replaceChildren(...els);
  }
}

export class RunMedia {
  readonly el = h('section', { class: 'run-charts run-media', 'data-testid': 'run-media', hidden: true });
  private readonly board: MediaBoard;
  private readonly count = h('span', { class: 'section-count' });
  private keys: MediaKey[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly project: string, private run: BoardRun) {
    const sections = new PlainSections();
    this.board = new MediaBoard(project, sections);
    mount(this.el, h('div', { class: 'section-head' }, h('h2', null, 'Media ', this.count)), sections.el);
    void this.load();
  }

  /** The run was renamed. */
  setName(name: string): void {
    if (name === this.run.name) return;
    this.run = { ...this.run, name };
    this.draw();
  }

  /** The run moved on: its keys are asked again shortly (once for a burst of events). */
  runChanged(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.load();
    }, LIVE_DELAY_MS);
  }

  private async load(): Promise<void> {
    try {
      this.keys = await api.mediaKeys(this.project, this.run.id);
    } catch {
      return; // asked again with the run's next change
    }
    if (!this.disposed) this.draw();
  }

  private draw(): void {
    const n = this.board.update([this.run], new Map([[this.run.id, this.keys]]));
    this.count.textContent = `(${n})`;
    this.el.hidden = n === 0;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.board.dispose();
  }
}
