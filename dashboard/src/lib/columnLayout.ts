// The runs table's column layout as the URL keeps it: the order of the config and summary columns
// (the `cols` list) and widths set by dragging a header's edge (`colw=summary.loss:120,...`).

export const MIN_WIDTH = 40;
export const MAX_WIDTH = 800;

export function clampWidth(w: number): number {
  return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, w)));
}

/** `id:width` pairs; an id may hold colons (the last one splits); bad entries are dropped. */
export function decodeWidths(v: string | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!v) return out;
  for (const entry of v.split(',')) {
    const i = entry.lastIndexOf(':');
    if (i <= 0) continue;
    const w = Number(entry.slice(i + 1));
    if (Number.isFinite(w) && w > 0) out[entry.slice(0, i).trim()] = clampWidth(w);
  }
  return out;
}

export function encodeWidths(widths: Readonly<Record<string, number>>): string {
  return Object.entries(widths).map(([id, w]) => `${id}:${clampWidth(w)}`).join(',');
}

/** `order` with `id` moved `delta` places (kept within the list). */
export function moveBy(order: readonly string[], id: string, delta: number): string[] {
  const from = order.indexOf(id);
  if (from < 0) return [...order];
  const to = Math.max(0, Math.min(order.length - 1, from + delta));
  return moveTo(order, id, to);
}

/** `order` with `id` at index `to`. */
export function moveTo(order: readonly string[], id: string, to: number): string[] {
  const rest = order.filter((x) => x !== id);
  if (rest.length === order.length) return [...order];
  rest.splice(Math.max(0, Math.min(rest.length, to)), 0, id);
  return rest;
}

/** `order` with `id` dropped where `target` is (before it when coming from the right, after it from the left). */
export function dropOn(order: readonly string[], id: string, target: string): string[] {
  const to = order.indexOf(target);
  if (to < 0 || id === target) return [...order];
  return moveTo(order, id, to);
}
