// What the media panels (images, tables, histograms) share: the runs they draw (each with the key
// as that run logged it), their values loaded once the panel comes near the viewport (sampled
// steps per run, again when the run's key has new steps), the panel's frame and a run's chip.

import { api } from '../../api';
import { watchVisibility } from '../../charts';
import { h } from '../../dom';
import { mapLimit } from '../../lib/limit';
import { keySignature } from '../../lib/mediaKeys';
import type { MediaKey, MediaKind, MediaStep, MediaValues } from '../../lib/mediaTypes';

/** steps asked for per run (the server samples them evenly, with the first and the last) */
export const SAMPLED_STEPS = 100;

export interface MediaRun {
  id: string;
  name: string;
  color: string;
  /** the key as this run logged it */
  info: MediaKey;
}

export interface MediaPanel {
  readonly el: HTMLElement;
  readonly key: string;
  readonly kind: MediaKind;
  /** the runs logging the key, in order (their colours and names, their steps of it) */
  setRuns(runs: readonly MediaRun[]): void;
  dispose(): void;
}

interface Loaded {
  sig: string;
  values: MediaValues | null;
  error: string | null;
}

/** A key's values of each run (sampled steps), and single steps asked for exactly. */
export class RunValues {
  private readonly loaded = new Map<string, Loaded>();
  private readonly inFlight = new Set<string>();
  /** `${runId}@${step}` -> the step's value (null: the run has none there) */
  private readonly exact = new Map<string, MediaStep | null>();

  constructor(private readonly project: string, private readonly key: string) {}

  get(runId: string): MediaValues | null {
    return this.loaded.get(runId)?.values ?? null;
  }

  error(runId: string): string | null {
    return this.loaded.get(runId)?.error ?? null;
  }

  /** The run's sampled steps, ascending. */
  stepsOf(runId: string): number[] {
    return (this.get(runId)?.steps ?? []).map((s) => s.step).sort((a, b) => a - b);
  }

  /** The value at a sampled step. */
  at(runId: string, step: number): MediaStep | null {
    return this.get(runId)?.steps.find((s) => s.step === step) ?? null;
  }

  /** Loads runs not loaded yet or whose key changed since; true when anything was loaded. */
  async sync(runs: readonly MediaRun[]): Promise<boolean> {
    const need = runs.filter((r) => {
      const sig = keySignature(r.info);
      return this.loaded.get(r.id)?.sig !== sig && !this.inFlight.has(`${r.id}|${sig}`);
    });
    if (!need.length) return false;
    await mapLimit(need, 2, async (r) => {
      const sig = keySignature(r.info);
      const flight = `${r.id}|${sig}`;
      this.inFlight.add(flight);
      try {
        const values = await api.media(this.project, r.id, this.key, { steps: SAMPLED_STEPS });
        this.loaded.set(r.id, { sig, values: { ...values, steps: [...(values.steps ?? [])].sort((a, b) => a.step - b.step) }, error: null });
        for (const k of [...this.exact.keys()]) if (k.startsWith(`${r.id}@`)) this.exact.delete(k);
      } catch (e) {
        // Keep what was shown; say why nothing is when there is nothing.
        const before = this.loaded.get(r.id);
        this.loaded.set(r.id, { sig, values: before?.values ?? null, error: (e as Error).message });
      } finally {
        this.inFlight.delete(flight);
      }
    });
    return true;
  }

  /** The value at exactly `step` if asked before (null: none there); undefined until {@link loadExact} answers. */
  exactAt(runId: string, step: number): MediaStep | null | undefined {
    return this.exact.get(`${runId}@${step}`);
  }

  /** Asks for one step (`?step=`); true when it was not known before. */
  async loadExact(runId: string, step: number): Promise<boolean> {
    const k = `${runId}@${step}`;
    if (this.exact.has(k) || this.inFlight.has(k)) return false;
    this.inFlight.add(k);
    try {
      const values = await api.media(this.project, runId, this.key, { step });
      this.exact.set(k, values.steps?.find((s) => s.step === step) ?? null);
    } catch {
      this.exact.set(k, null);
    } finally {
      this.inFlight.delete(k);
    }
    return true;
  }
}

/** The colour chip and name of a run, above its images or chart. */
export function runChip(run: { id: string; name: string; color: string }): HTMLElement {
  return h('div', { class: 'media-run', 'data-run': run.id },
    h('span', { class: 'swatch', style: { background: run.color } }),
    h('span', { class: 'media-run-name', title: run.name }, run.name));
}

export function muted(text: string): HTMLElement {
  return h('div', { class: 'media-none muted' }, text);
}

/**
 * A media panel's frame: the head (key, a note, tools) and a body the kind draws; its values load
 * when it comes near the viewport, and again when a run's key changes while it is there.
 */
export abstract class MediaPanelBase implements MediaPanel {
  readonly el: HTMLElement;
  protected readonly body = h('div', { class: 'media-body' });
  protected readonly note = h('span', { class: 'panel-note' });
  protected readonly tools = h('span', { class: 'panel-tools' });
  protected runs: MediaRun[] = [];
  protected readonly values: RunValues;
  protected visible = false;
  protected disposed = false;
  private runsSig = '';
  private readonly unwatch: () => void;

  constructor(readonly key: string, readonly kind: MediaKind, protected readonly project: string) {
    this.values = new RunValues(project, key);
    this.el = h('div', { class: `panel media-panel media-kind-${kind}`, 'data-media-panel': key, 'data-kind': kind },
      h('div', { class: 'panel-head' }, h('span', { class: 'panel-title', title: key }, key), this.note, this.tools),
      this.body);
    this.unwatch = watchVisibility(this.el, (v) => {
      const appeared = v && !this.visible;
      this.visible = v;
      // After the constructors (the kind's parts exist by then), even where visibility is told at once.
      if (appeared) queueMicrotask(() => !this.disposed && this.update());
    });
  }

  setRuns(runs: readonly MediaRun[]): void {
    const sig = runs.map((r) => `${r.id}\t${r.name}\t${r.color}\t${keySignature(r.info)}`).join('\n');
    if (sig === this.runsSig) return;
    this.runsSig = sig;
    this.runs = [...runs];
    this.el.dataset.runs = String(runs.length);
    if (this.visible) this.update();
  }

  /** Draws what is at hand, loads what is missing, and draws again when it came. */
  protected update(): void {
    this.draw();
    void this.values.sync(this.runs).then((loaded) => {
      if (loaded && !this.disposed) this.draw();
    });
  }

  protected abstract draw(): void;

  dispose(): void {
    this.disposed = true;
    this.unwatch();
  }
}
