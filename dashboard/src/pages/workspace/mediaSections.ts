// The workspace's media: images, tables and histograms the runs shown in charts logged (docs/
// media.md). Each run's media keys are asked for once (a call per run, a few at a time), again
// when live events say the run moved on (gathered for a moment, one call per run); the panels
// come after the line charts in sections by key prefix, whose open state is in the workspace's
// state like the line sections'. Without media the block is hidden.

import { api, runName, type Run } from '../../api';
import { h } from '../../dom';
import { mapLimit } from '../../lib/limit';
import type { MediaKey } from '../../lib/mediaTypes';
import { isVisible } from '../../lib/urlState';
import { ChartSections } from './chartSections';
import type { WorkspaceContext } from './context';
import { MediaBoard } from './mediaBoard';

/** key calls in flight at once */
const CONCURRENCY = 4;
/** live events are gathered this long before runs' keys are asked again */
const LIVE_DELAY_MS = 2000;

export class WorkspaceMedia {
  readonly el: HTMLElement;
  private readonly sections: ChartSections;
  private readonly board: MediaBoard;
  private readonly count = h('span', { class: 'section-count' });
  /** run id -> its media keys, as last asked */
  private readonly keys = new Map<string, MediaKey[]>();
  private readonly asking = new Set<string>();
  private readonly changed = new Set<string>();
  private liveTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ctx: WorkspaceContext) {
    this.sections = new ChartSections(ctx, 'panel-grid media-grid');
    this.board = new MediaBoard(ctx.name, this.sections);
    this.el = h('div', { class: 'ws-media', 'data-testid': 'media', hidden: true },
      h('div', { class: 'section-head' }, h('h2', null, 'Media ', this.count)),
      this.sections.el);
  }

  /** The runs whose media is shown: those shown in charts (the first `max` of the table's runs shown). */
  private mediaRuns(): Run[] {
    const out: Run[] = [];
    for (const r of this.ctx.runs) {
      if (!isVisible(this.ctx.state, r.runId)) continue;
      out.push(r);
      if (out.length >= this.ctx.state.max) break;
    }
    return out;
  }

  /** The runs shown changed (loaded, hidden, shown, more per chart): asks runs not asked yet, and lays the panels out. */
  refresh(): void {
    const missing = this.mediaRuns().map((r) => r.runId).filter((id) => !this.keys.has(id) && !this.asking.has(id));
    this.draw();
    if (missing.length) void this.ask(missing);
  }

  /** A run logged more (a live event, or a poll): its keys are asked again soon, once however many events came. */
  runChanged(runId: string): void {
    if (!this.keys.has(runId) && !this.mediaRuns().some((r) => r.runId === runId)) return;
    this.changed.add(runId);
    if (this.liveTimer) return;
    this.liveTimer = this.ctx.later(() => {
      this.liveTimer = undefined;
      const shown = new Set(this.mediaRuns().map((r) => r.runId));
      // Runs out of view are asked again once they come back.
      const ids = [...this.changed].filter((id) => {
        if (!shown.has(id)) this.keys.delete(id);
        return shown.has(id) && !this.asking.has(id);
      });
      this.changed.clear();
      if (ids.length) void this.ask(ids);
    }, LIVE_DELAY_MS);
  }

  /** Sections opened or closed by the state. */
  syncSections(): void {
    this.sections.syncOpen();
  }

  private async ask(ids: string[]): Promise<void> {
    for (const id of ids) this.asking.add(id);
    await mapLimit(ids, CONCURRENCY, async (id) => {
      try {
        const keys = await api.mediaKeys(this.ctx.name, id);
        if (!this.ctx.disposed) this.keys.set(id, keys);
      } catch {
        // Shown without media for now; asked again with its next change.
        if (!this.keys.has(id)) this.keys.set(id, []);
      } finally {
        this.asking.delete(id);
      }
    });
    if (!this.ctx.disposed) this.draw();
  }

  private draw(): void {
    const runs = this.mediaRuns().map((r) => ({ id: r.runId, name: runName(r), color: this.ctx.runColors.get(r.runId) }));
    const n = this.board.update(runs, this.keys);
    this.count.textContent = `(${n})`;
    this.el.hidden = n === 0;
  }

  dispose(): void {
    this.board.dispose();
  }
}
