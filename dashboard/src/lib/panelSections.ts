// Line panels in sections by key prefix (`train/loss` in "train"), as W&B lays out a workspace:
// keys without a prefix first (in "Charts"), then the prefixes alphabetically, system metrics
// last and closed until opened. Inside a section, panels the user moved keep their order; the
// others follow alphabetically. Pure, so it is unit-tested.

/** the section of keys without a prefix */
export const DEFAULT_SECTION = 'charts';
export const SYSTEM_SECTION = 'system';

export interface PanelSection {
  id: string;
  title: string;
  keys: string[];
}

export function sectionOf(key: string): string {
  const slash = key.indexOf('/');
  return slash > 0 ? key.slice(0, slash) : DEFAULT_SECTION;
}

export function sectionTitle(id: string): string {
  if (id === DEFAULT_SECTION) return 'Charts';
  if (id === SYSTEM_SECTION) return 'System';
  return id;
}

function sectionRank(id: string): number {
  return id === DEFAULT_SECTION ? 0 : id === SYSTEM_SECTION ? 2 : 1;
}

/** Keys in `order` first, in its order; the rest after them, alphabetically. */
export function orderKeys(keys: readonly string[], order: readonly string[]): string[] {
  const at = new Map(order.map((k, i) => [k, i]));
  return [...keys].sort((a, b) => {
    const ia = at.get(a);
    const ib = at.get(b);
    if (ia !== undefined && ib !== undefined) return ia - ib;
    if (ia !== undefined) return -1;
    if (ib !== undefined) return 1;
    return a.localeCompare(b);
  });
}

/** The sections of `keys`, each with its keys in order; empty sections are left out. */
export function groupSections(keys: readonly string[], order: readonly string[] = []): PanelSection[] {
  const byId = new Map<string, string[]>();
  for (const k of keys) {
    const id = sectionOf(k);
    let list = byId.get(id);
    if (!list) byId.set(id, (list = []));
    list.push(k);
  }
  return [...byId.entries()]
    .sort(([a], [b]) => sectionRank(a) - sectionRank(b) || a.localeCompare(b))
    .map(([id, list]) => ({ id, title: sectionTitle(id), keys: orderKeys(list, order) }));
}

/**
 * The order after moving `key` to `index` among its section's keys (`sectionKeys`, as shown).
 * The whole section is written down, so its other panels stay where they were shown; other
 * sections' entries are kept as they are.
 */
export function moveKey(order: readonly string[], sectionKeys: readonly string[], key: string, index: number): string[] {
  const from = sectionKeys.indexOf(key);
  if (from < 0) return [...order];
  const moved = sectionKeys.filter((k) => k !== key);
  moved.splice(Math.max(0, Math.min(index, moved.length)), 0, key);
  const inSection = new Set(sectionKeys);
  return [...order.filter((k) => !inSection.has(k)), ...moved];
}

/** Whether a section is open: as chosen, else open but for system metrics. */
export function isSectionOpen(sections: Readonly<Record<string, boolean>>, id: string): boolean {
  return sections[id] ?? id !== SYSTEM_SECTION;
}

/** The choices after opening or closing a section; a choice equal to the default is dropped, to keep links short. */
export function setSectionOpen(sections: Readonly<Record<string, boolean>>, id: string, open: boolean): Record<string, boolean> {
  const next = { ...sections };
  delete next[id];
  if (isSectionOpen(next, id) !== open) next[id] = open;
  return next;
}
