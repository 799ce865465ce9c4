// A run keeps its colour wherever it appears (table swatch, chart lines), whatever the sort:
// the colour comes from its id.

export const PALETTE = [
  '#5470c6', '#e8684a', '#2fa37a', '#9a60b4', '#f2a33a', '#3ba0c9', '#d9577b', '#7a8b2b',
  '#a0522d', '#1f77b4', '#8c6bb1', '#e377c2', '#17becf', '#bcbd22', '#ff7f0e', '#2ca02c',
  '#d62728', '#6b6ecf', '#b5642b', '#3d7f6e',
];

export function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function colorFor(id: string): string {
  return PALETTE[hashString(id) % PALETTE.length];
}

/** `#rrggbb` with an alpha, for bands and faint raw lines. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * Colours handed out in order of first sight: within a page, the first twenty runs (or groups)
 * never share a colour, and a run keeps its colour when the table is re-sorted or filtered.
 */
export class ColorBook {
  private readonly given = new Map<string, string>();

  get(id: string): string {
    let c = this.given.get(id);
    if (!c) {
      c = PALETTE[this.given.size % PALETTE.length];
      this.given.set(id, c);
    }
    return c;
  }

  /** Gives colours to `ids` in this order (those without one yet). */
  assign(ids: Iterable<string>): void {
    for (const id of ids) this.get(id);
  }
}
