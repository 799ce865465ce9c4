// An images panel: a step slider over the union of the runs' steps of the key (sampled by the
// server), and at the chosen step each run's images side by side (its name and colour above,
// captions below), a list of images as a grid. A run without that exact step among its sampled
// ones is asked for it exactly, and meanwhile shows its latest step before. Small images are
// scaled up pixelated; a click opens one large. The slider follows new steps while at its end.

import { h, mount, rafThrottle } from '../../dom';
import { gridColumns, mayHaveUnsampled, nearestIndex, stepAtOrBefore, unionSteps } from '../../lib/mediaSteps';
import type { MediaStep } from '../../lib/mediaTypes';
import type { UrlLease } from '../../lib/objectUrls';
import { newLease } from '../../mediaFiles';
import { mediaImg } from './mediaImage';
import { MediaPanelBase, muted, runChip, type MediaRun } from './mediaPanel';

/** the tallest a single image is drawn in the panel */
const MAX_HEIGHT = 260;
/** runs side by side before the next row */
const MAX_COLUMNS = 4;

export class ImagePanel extends MediaPanelBase {
  /** the step chosen; null: the last (and so following new steps) */
  private chosen: number | null = null;
  private steps: number[] = [];
  private lease: UrlLease | null = null;
  private drawnWidth = 0;
  /** what the cells drawn show: drawn again only when it changes */
  private drawnSig = '';
  private readonly slider = h('input', { type: 'range', class: 'media-slider', min: 0, max: 0, step: 1, value: '0', 'aria-label': 'Step' });
  private readonly stepLabel = h('span', { class: 'media-step', 'data-step': '' });
  private readonly grid = h('div', { class: 'media-runs' });
  private readonly resize: ResizeObserver | null;

  constructor(key: string, project: string) {
    super(key, 'images', project);
    const drawStep = rafThrottle(() => this.drawStep());
    this.slider.addEventListener('input', () => {
      const i = Number(this.slider.value);
      this.chosen = i >= this.steps.length - 1 ? null : this.steps[i];
      this.stepLabel.textContent = `Step ${this.steps[i] ?? ''}`;
      drawStep();
    });
    mount(this.body, h('div', { class: 'media-stepper' }, this.stepLabel, this.slider), this.grid);
    // Images are fitted to their column: drawn again when the panel's width changes much.
    this.resize = typeof ResizeObserver !== 'undefined' ? new ResizeObserver(() => {
      if (this.visible && Math.abs(this.grid.clientWidth - this.drawnWidth) > 40) drawStep();
    }) : null;
    this.resize?.observe(this.body);
  }

  /** The step shown. */
  get step(): number | null {
    const i = this.index();
    return i < 0 ? null : this.steps[i];
  }

  private index(): number {
    if (!this.steps.length) return -1;
    return this.chosen === null ? this.steps.length - 1 : nearestIndex(this.steps, this.chosen);
  }

  protected override draw(): void {
    this.steps = unionSteps(this.runs.map((r) => this.values.stepsOf(r.id)));
    const i = this.index();
    this.slider.max = String(Math.max(0, this.steps.length - 1));
    this.slider.value = String(Math.max(0, i));
    this.slider.disabled = this.steps.length < 2;
    this.stepLabel.textContent = i < 0 ? '' : `Step ${this.steps[i]}`;
    const total = Math.max(0, ...this.runs.map((r) => r.info.steps));
    this.note.textContent = `${this.runs.length} run${this.runs.length === 1 ? '' : 's'} · ${total} step${total === 1 ? '' : 's'}`;
    this.drawStep();
  }

  private drawStep(): void {
    if (this.disposed) return;
    const step = this.step;
    this.el.dataset.step = step === null ? '' : String(step);
    const columns = Math.max(1, Math.min(MAX_COLUMNS, this.runs.length));
    const gridWidth = this.grid.clientWidth;
    const width = (gridWidth || 480) / columns - 12;
    const cells = this.runs.map((run) => ({ run, ...this.cellValue(run, step) }));
    // Unchanged (data again the same, a small resize): the images stay, rather than flicker.
    const sig = JSON.stringify([Math.round(width), cells.map((c) => [c.run.id, c.run.name, c.run.color, c.status, c.shown?.step,
      c.shown?.images?.map((i) => [i.digest, i.caption])])]);
    if (sig === this.drawnSig) return;
    this.drawnSig = sig;
    this.drawnWidth = gridWidth;
    const lease = newLease();
    this.grid.style.gridTemplateColumns = `repeat(${columns}, minmax(0, 1fr))`;
    mount(this.grid, cells.map((c) => this.runCell(c.run, c.status, c.shown, step, lease, width)));
    // The new drawing holds its files before the old lets go: files in both are not fetched again.
    this.lease?.releaseAll();
    this.lease = lease;
  }

  /** What a run's cell shows at `step`: its value, or why there is none. */
  private cellValue(run: MediaRun, step: number | null): { status: string | null; shown: MediaStep | null } {
    if (!this.values.get(run.id)) return { status: this.values.error(run.id) ?? 'Loading…', shown: null };
    if (step === null) return { status: '', shown: null };
    const shown = this.valueAt(run, step);
    return shown?.images?.length ? { status: null, shown } : { status: `No images at step ${step}`, shown: null };
  }

  private runCell(run: MediaRun, status: string | null, shown: MediaStep | null, step: number | null, lease: UrlLease, width: number): HTMLElement {
    const cell = h('div', { class: 'media-run-cell', 'data-run': run.id }, runChip(run));
    if (!shown?.images?.length) {
      if (status) cell.append(muted(status));
      return cell;
    }
    const images = shown.images;
    const cols = gridColumns(images.length);
    const side = Math.max(16, (width - (cols - 1) * 6) / cols);
    const box: [number, number] = [side, images.length === 1 ? MAX_HEIGHT : side];
    const title = `${run.name} · ${this.key} · step ${shown.step}`;
    cell.dataset.shownStep = String(shown.step);
    if (shown.step !== step) cell.append(h('div', { class: 'media-step-note muted' }, `step ${shown.step}`));
    cell.append(h('div', { class: 'media-images', style: { gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))` } },
      images.map((img, i) => h('figure', { class: 'media-figure', 'data-index': i },
        mediaImg({ ...img, project: this.project, runId: run.id }, lease, box, title),
        img.caption ? h('figcaption', { class: 'media-caption', title: img.caption }, img.caption) : null))));
    return cell;
  }

  /** The run's value at `step`: exactly, else its latest before (asking for the exact step when sampling may have missed it). */
  private valueAt(run: MediaRun, step: number): MediaStep | null {
    const sampled = this.values.stepsOf(run.id);
    const exact = this.values.at(run.id, step);
    if (exact) return exact;
    if (mayHaveUnsampled(sampled, this.values.get(run.id)?.totalSteps ?? 0, step)) {
      const known = this.values.exactAt(run.id, step);
      if (known) return known;
      if (known === undefined) {
        void this.values.loadExact(run.id, step).then((asked) => {
          if (asked && !this.disposed && this.step === step) this.drawStep();
        });
      }
    }
    const before = stepAtOrBefore(sampled, step);
    return before === null ? null : this.values.at(run.id, before);
  }

  override dispose(): void {
    super.dispose();
    this.resize?.disconnect();
    this.lease?.releaseAll();
    this.lease = null;
    this.drawnSig = '';
  }
}
