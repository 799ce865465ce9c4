// The media panels of a set of runs, in sections by key prefix: a panel per key (lib/mediaKeys
// merges the runs' keys), of the kind the key was logged as, kept while its key stays. Used by the
// workspace (sections in its state, mediaSections.ts) and the run page (runMedia.ts).

import type { PanelSection } from '../../lib/panelSections';
import { mediaSections, mergeMediaKeys } from '../../lib/mediaKeys';
import type { MediaKey, MediaKind } from '../../lib/mediaTypes';
import { HistogramPanel } from './histogramPanel';
import { ImagePanel } from './imagePanel';
import { closeLarge } from './mediaImage';
import type { MediaPanel } from './mediaPanel';
import { TablePanel } from './tablePanel';
import './media.css';

/** Lays panels out in sections (ChartSections does, for the workspace). */
export interface MediaSectionsView {
  readonly el: HTMLElement;
  render(sections: readonly PanelSection[], panelEl: (key: string) => HTMLElement, empty: string | null): void;
}

export interface BoardRun {
  id: string;
  name: string;
  color: string;
}

function createPanel(kind: MediaKind, key: string, project: string): MediaPanel {
  switch (kind) {
    case 'table':
      return new TablePanel(key, project);
    case 'histogram':
      return new HistogramPanel(key, project);
    default:
      return new ImagePanel(key, project);
  }
}

export class MediaBoard {
  private readonly panels = new Map<string, MediaPanel>();

  constructor(private readonly project: string, private readonly sections: MediaSectionsView) {}

  /** Panels for the keys of `runs` (each run's keys in `keys`; runs not there yet have none); the number of panels. */
  update(runs: readonly BoardRun[], keys: ReadonlyMap<string, readonly MediaKey[]>): number {
    const merged = mergeMediaKeys(runs.map((r) => r.id), keys);
    const wanted = new Map(merged.map((m) => [m.key, m]));
    for (const [key, p] of this.panels) {
      if (wanted.get(key)?.kind === p.kind) continue;
      p.dispose();
      p.el.remove();
      this.panels.delete(key);
    }
    const byId = new Map(runs.map((r) => [r.id, r]));
    for (const m of merged) {
      let p = this.panels.get(m.key);
      if (!p) this.panels.set(m.key, (p = createPanel(m.kind, m.key, this.project)));
      p.setRuns(m.runs.flatMap((id) => {
        const run = byId.get(id);
        const info = keys.get(id)?.find((k) => k.key === m.key && k.kind === m.kind);
        return run && info ? [{ ...run, info }] : [];
      }));
      // Wide kinds take the whole row; images and histograms of more than two runs too.
      p.el.classList.toggle('media-wide', m.kind === 'table' || m.runs.length > 2);
    }
    this.sections.render(mediaSections(merged.map((m) => m.key)), (k) => this.panels.get(k)!.el, null);
    return merged.length;
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
    this.panels.clear();
    closeLarge();
  }
}
