// Chart options in the page's theme. The options of lib/chartOptions.ts are written for the light
// theme with a few neutral greys; themeChartOption swaps each of those greys for the colour of the
// same role in the current palette (read from CSS variables by charts.ts), and gives the text,
// axes and tooltip a themed colour where the option leaves it to ECharts' (light) defaults.
// Series colours (the runs' palette) are left alone. Pure: no DOM.

export interface ChartPalette {
  /** axis labels, legends */
  text: string;
  /** axis names, pointers */
  faint: string;
  /** axis lines */
  axis: string;
  /** grid (split) lines */
  split: string;
  /** an emphasised axis name */
  strong: string;
  /** chart titles */
  title: string;
  /** category labels */
  label: string;
  /** the middle of a diverging colour scale */
  neutral: string;
  tooltipBg: string;
  tooltipBorder: string;
  tooltipText: string;
}

/** The light palette: the greys lib/chartOptions.ts writes (and the CSS variables' light values). */
export const LIGHT_CHART: ChartPalette = {
  text: '#6b7280',
  faint: '#9ca3af',
  axis: '#d1d5db',
  split: '#eef0f3',
  strong: '#111827',
  title: '#4b5563',
  label: '#374151',
  neutral: '#dddddd',
  tooltipBg: '#ffffff',
  tooltipBorder: '#e3e6eb',
  tooltipText: '#1f2937',
};

/** The CSS variable of each role (styles.css defines them for both themes). */
export const CHART_VARS: Record<keyof ChartPalette, string> = {
  text: '--chart-text',
  faint: '--chart-faint',
  axis: '--chart-axis',
  split: '--chart-split',
  strong: '--chart-strong',
  title: '--chart-title',
  label: '--chart-label',
  neutral: '--chart-neutral',
  tooltipBg: '--panel',
  tooltipBorder: '--border',
  tooltipText: '--text',
};

const MAPPED_ROLES: (keyof ChartPalette)[] = ['text', 'faint', 'axis', 'split', 'strong', 'title', 'label', 'neutral'];

/** A palette from a variable reader (getComputedStyle(...).getPropertyValue); light values where one is missing. */
export function paletteFrom(read: (cssVar: string) => string): ChartPalette {
  const p = { ...LIGHT_CHART };
  for (const role of Object.keys(CHART_VARS) as (keyof ChartPalette)[]) {
    const v = read(CHART_VARS[role]).trim();
    if (v) p[role] = v;
  }
  return p;
}

const AXES = ['xAxis', 'yAxis', 'parallelAxis', 'radiusAxis', 'angleAxis', 'singleAxis'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `o[a][b]...[last]` set to `value` when unset (creating the objects on the way, in a copy-safe way: `o` is a fresh copy). */
function fill(o: Obj, path: string[], value: string): void {
  let cur = o;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    if (next !== undefined && !isObj(next)) return;
    cur = (cur[k] = next ? { ...next } : {}) as Obj;
  }
  const last = path[path.length - 1];
  if (cur[last] === undefined) cur[last] = value;
}

function each(v: unknown, fn: (o: Obj) => void): void {
  if (Array.isArray(v)) v.forEach((x) => isObj(x) && fn(x));
  else if (isObj(v)) fn(v);
}

/** The option with its neutral colours in `palette` (a new object; series data is shared, not copied). */
export function themeChartOption(option: Record<string, unknown>, palette: ChartPalette): Record<string, unknown> {
  const swap = new Map<string, string>();
  for (const role of MAPPED_ROLES) swap.set(LIGHT_CHART[role].toLowerCase(), palette[role]);
  const color = (c: unknown) => (typeof c === 'string' ? swap.get(c.toLowerCase()) ?? c : c);
  const walk = (v: unknown, key: string): unknown => {
    if (key === 'data') return v; // points and categories: never colours, and big
    if (Array.isArray(v)) return key === 'color' ? v.map(color) : v.map((x) => walk(x, ''));
    if (isObj(v)) {
      const out: Obj = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
      return out;
    }
    return key === 'color' ? color(v) : v;
  };
  const out = walk(option, '') as Obj;

  fill(out, ['backgroundColor'], 'transparent');
  fill(out, ['textStyle', 'color'], palette.text);
  for (const name of AXES) {
    each(out[name], (axis) => {
      fill(axis, ['axisLabel', 'color'], palette.text);
      fill(axis, ['nameTextStyle', 'color'], palette.faint);
      fill(axis, ['axisLine', 'lineStyle', 'color'], palette.axis);
      fill(axis, ['axisTick', 'lineStyle', 'color'], palette.axis);
      fill(axis, ['splitLine', 'lineStyle', 'color'], palette.split);
    });
  }
  each(out.legend, (l) => fill(l, ['textStyle', 'color'], palette.text));
  each(out.title, (t) => fill(t, ['textStyle', 'color'], palette.title));
  each(out.visualMap, (v) => fill(v, ['textStyle', 'color'], palette.text));
  each(out.tooltip, (t) => {
    fill(t, ['backgroundColor'], palette.tooltipBg);
    fill(t, ['borderColor'], palette.tooltipBorder);
    fill(t, ['textStyle', 'color'], palette.tooltipText);
  });
  return out;
}
