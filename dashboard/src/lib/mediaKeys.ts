// The media panels of several runs: each run lists its media keys (GET .../media); a panel per
// key, of the runs that log it, laid out in sections by key prefix as the line panels are
// (lib/panelSections), under ids of their own so that opening one does not open the other. Pure,
// so it is unit-tested.

import { groupSections, DEFAULT_SECTION, type PanelSection } from './panelSections';
import type { MediaKey, MediaKind } from './mediaTypes';

export const MEDIA_SECTION_PREFIX = 'media:';

export interface MergedMediaKey {
  key: string;
  kind: MediaKind;
  /** the runs logging the key (as that kind), in the runs' order */
  runs: string[];
}

/**
 * The keys of the runs (`runOrder`, and what each lists), alphabetically. A key logged as
 * different kinds by different runs is the kind most of them log (the first run's on a tie),
 * with only those runs.
 */
export function mergeMediaKeys(runOrder: readonly string[], perRun: ReadonlyMap<string, readonly MediaKey[]>): MergedMediaKey[] {
  const byKey = new Map<string, { kinds: Map<MediaKind, string[]> }>();
  for (const runId of runOrder) {
    for (const k of perRun.get(runId) ?? []) {
      if (!k || typeof k.key !== 'string' || !k.key) continue;
      let entry = byKey.get(k.key);
      if (!entry) byKey.set(k.key, (entry = { kinds: new Map() }));
      let runs = entry.kinds.get(k.kind);
      if (!runs) entry.kinds.set(k.kind, (runs = []));
      if (!runs.includes(runId)) runs.push(runId);
    }
  }
  const out: MergedMediaKey[] = [];
  for (const [key, { kinds }] of byKey) {
    let best: [MediaKind, string[]] | null = null;
    // Map order is first sight, so on a tie the kind the earliest run logs wins.
    for (const [kind, runs] of kinds) if (!best || runs.length > best[1].length) best = [kind, runs];
    if (best) out.push({ key, kind: best[0], runs: best[1] });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

/** The media panels' sections: by prefix as line panels, `media:`-prefixed ids, keys without a prefix in "Media". */
export function mediaSections(keys: readonly string[]): PanelSection[] {
  return groupSections(keys).map((s) => ({
    ...s,
    id: `${MEDIA_SECTION_PREFIX}${s.id}`,
    title: s.id === DEFAULT_SECTION ? 'Media' : s.title,
  }));
}

/** What changes a run's panel data: a key's steps, first or last step (a new log, or a step logged again elsewhere). */
export function keySignature(k: MediaKey): string {
  return `${k.kind}:${k.steps}:${k.firstStep}:${k.lastStep}`;
}
