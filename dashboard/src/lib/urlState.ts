// The workspace's view lives in the URL (the query string inside the hash route), so a link
// shows someone else the same runs, sorted, grouped and charted the same way:
//   #/projects/cat?q=lr&state=finished,running&f={"config.lr":{"$lt":0.1}}&sort=-summary.acc
//     &group=config.optimizer&hide=ab12,cd34&panels=loss,accuracy&x=_step&smooth=0.6&log=loss
//     &open=system&shut=compare&order=val/acc,val/loss&size=loss:l&y=loss:0~1.5&legend=loss
// Defaults are left out. The layout (sections, order, sizes, y bounds, legends) is in it too, so a
// saved view holds the panels as they were arranged.

import type { BandKind } from './groupBands';
import { decodeWidths, encodeWidths } from './columnLayout';
import { brushFilter, decodeBrush, encodeBrush, type Brush } from './brush';
import { andFilters, searchFilter, statesFilter, tagsFilter, visibilityFilter, parseFilter, type Filter } from './filters';

export interface WorkspaceState {
  /** the search box (name or id) */
  q: string;
  /** state chips */
  states: string[];
  /** tag chips */
  tags: string[];
  /** the JSON filter box, as typed */
  filter: string;
  /** `order`: a field, `-` for descending */
  sort: string;
  /** `group`, `jobType` or `config.<path>`; '' for none */
  group: string;
  /** runs hidden from the charts */
  hidden: string[];
  /** when set, only these runs are shown in the charts */
  only: string[] | null;
  /** config.* and summary.* columns of the table; null: the defaults */
  cols: string[] | null;
  /** metric keys with a line panel; null: every metric of the project */
  panels: string[] | null;
  /** the x axis of line panels: _step, _timestamp or a metric key */
  x: string;
  /** EMA weight, 0 (none) to 0.99 */
  smooth: number;
  /** panels with a logarithmic y axis */
  log: string[];
  /** at most this many runs (in table order) are drawn in line panels */
  max: number;
  /** axes of the parallel-coordinates panel (config.* keys); null: the first few */
  pc: string[] | null;
  /** the metric of the parallel-coordinates and importance panels (a summary key); '' for the first */
  metric: string;
  /** ranges or categories brushed on parallel-coordinate axes (`brush=`): they narrow the table and the charts */
  brush: Brush;
  /** the scatter panel's x and y fields (`sx=`, `sy=`: config.* or summary.*); '' for the defaults */
  sx: string;
  sy: string;
  /** sections opened or closed unlike their default (lib/panelSections): section id -> open */
  sections: Record<string, boolean>;
  /** line panels placed by hand, in order (the others follow alphabetically in their section) */
  order: string[];
  /** panel sizes other than medium */
  sizes: Record<string, PanelSize>;
  /** y axis bounds set by hand per panel; null: automatic */
  yRange: Record<string, YRange>;
  /** panels showing a legend */
  legend: string[];
  /** table column widths set by hand (`colw=summary.loss:120`): column id -> px */
  widths: Record<string, number>;
  /** the band around a group's mean line (`band=std`) */
  band: BandKind;
  /** the saved view this state came from ('' for none); kept so "Save" writes that view again */
  view: string;
}

export type PanelSize = 's' | 'm' | 'l';
export type YRange = [min: number | null, max: number | null];

export const DEFAULT_STATE: Readonly<WorkspaceState> = Object.freeze({
  q: '',
  states: [],
  tags: [],
  filter: '',
  sort: '-createdAt',
  group: '',
  hidden: [],
  only: null,
  cols: null,
  panels: null,
  x: '_step',
  smooth: 0,
  log: [],
  max: 20,
  pc: null,
  metric: '',
  brush: {},
  sx: '',
  sy: '',
  sections: {},
  order: [],
  sizes: {},
  yRange: {},
  legend: [],
  widths: {},
  band: 'minmax',
  view: '',
});

export const MAX_CHART_RUNS = 100;

function list(v: string | null): string[] {
  if (!v) return [];
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(Math.max(n, lo), hi);
}

export function decodeState(params: URLSearchParams): WorkspaceState {
  const s: WorkspaceState = { ...DEFAULT_STATE, states: [], tags: [], hidden: [], log: [], sections: {}, order: [], sizes: {}, yRange: {}, legend: [], widths: {} };
  s.q = params.get('q') ?? '';
  s.states = list(params.get('state'));
  s.tags = list(params.get('tags'));
  s.filter = params.get('f') ?? '';
  s.sort = params.get('sort') || DEFAULT_STATE.sort;
  s.group = params.get('group') ?? '';
  s.hidden = list(params.get('hide'));
  s.only = params.has('only') ? list(params.get('only')) : null;
  s.cols = params.has('cols') ? list(params.get('cols')) : null;
  s.panels = params.has('panels') ? list(params.get('panels')) : null;
  s.x = params.get('x') || DEFAULT_STATE.x;
  const smooth = Number(params.get('smooth'));
  s.smooth = Number.isFinite(smooth) ? clamp(smooth, 0, 0.99) : 0;
  s.log = list(params.get('log'));
  const max = Number(params.get('max'));
  s.max = params.has('max') && Number.isFinite(max) ? clamp(Math.round(max), 1, MAX_CHART_RUNS) : DEFAULT_STATE.max;
  s.pc = params.has('pc') ? list(params.get('pc')) : null;
  s.metric = params.get('metric') ?? '';
  s.brush = decodeBrush(params.get('brush'));
  s.sx = params.get('sx') ?? '';
  s.sy = params.get('sy') ?? '';
  for (const id of list(params.get('open'))) s.sections[id] = true;
  for (const id of list(params.get('shut'))) s.sections[id] = false;
  s.order = list(params.get('order'));
  for (const [key, v] of pairs(params.get('size'))) if (v === 's' || v === 'l') s.sizes[key] = v;
  for (const [key, v] of pairs(params.get('y'))) {
    const range = decodeRange(v);
    if (range) s.yRange[key] = range;
  }
  s.legend = list(params.get('legend'));
  s.widths = decodeWidths(params.get('colw'));
  const band = params.get('band');
  s.band = band === 'std' || band === 'stderr' || band === 'none' ? band : 'minmax';
  s.view = params.get('view') ?? '';
  return s;
}

/** `key:value` entries (a key may hold colons: the last one splits). */
function pairs(v: string | null): [string, string][] {
  return list(v).flatMap((e) => {
    const i = e.lastIndexOf(':');
    return i > 0 ? [[e.slice(0, i), e.slice(i + 1)] as [string, string]] : [];
  });
}

function bound(v: string): number | null | undefined {
  if (v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** `min~max`, either side blank for automatic. */
function decodeRange(v: string): YRange | null {
  const [lo, hi, ...rest] = v.split('~');
  if (hi === undefined || rest.length) return null;
  const min = bound(lo);
  const max = bound(hi);
  if (min === undefined || max === undefined || (min === null && max === null)) return null;
  return [min, max];
}

function encodeRange([min, max]: YRange): string {
  return `${min ?? ''}~${max ?? ''}`;
}

export function encodeState(s: WorkspaceState): URLSearchParams {
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  if (s.states.length) p.set('state', s.states.join(','));
  if (s.tags.length) p.set('tags', s.tags.join(','));
  if (s.filter.trim()) p.set('f', s.filter.trim());
  if (s.sort && s.sort !== DEFAULT_STATE.sort) p.set('sort', s.sort);
  if (s.group) p.set('group', s.group);
  if (s.only) p.set('only', s.only.join(','));
  else if (s.hidden.length) p.set('hide', s.hidden.join(','));
  if (s.cols) p.set('cols', s.cols.join(','));
  if (s.panels) p.set('panels', s.panels.join(','));
  if (s.x && s.x !== DEFAULT_STATE.x) p.set('x', s.x);
  if (s.smooth > 0) p.set('smooth', String(Math.round(s.smooth * 100) / 100));
  if (s.log.length) p.set('log', s.log.join(','));
  if (s.max !== DEFAULT_STATE.max) p.set('max', String(s.max));
  if (s.pc) p.set('pc', s.pc.join(','));
  if (s.metric) p.set('metric', s.metric);
  const brush = encodeBrush(s.brush);
  if (brush) p.set('brush', brush);
  if (s.sx) p.set('sx', s.sx);
  if (s.sy) p.set('sy', s.sy);
  const sections = Object.entries(s.sections);
  const open = sections.filter(([, o]) => o).map(([id]) => id);
  const shut = sections.filter(([, o]) => !o).map(([id]) => id);
  if (open.length) p.set('open', open.join(','));
  if (shut.length) p.set('shut', shut.join(','));
  if (s.order.length) p.set('order', s.order.join(','));
  const sizes = Object.entries(s.sizes).filter(([, v]) => v !== 'm');
  if (sizes.length) p.set('size', sizes.map(([k, v]) => `${k}:${v}`).join(','));
  const ranges = Object.entries(s.yRange).filter(([, r]) => r[0] !== null || r[1] !== null);
  if (ranges.length) p.set('y', ranges.map(([k, r]) => `${k}:${encodeRange(r)}`).join(','));
  if (s.legend.length) p.set('legend', s.legend.join(','));
  if (Object.keys(s.widths).length) p.set('colw', encodeWidths(s.widths));
  if (s.band !== 'minmax') p.set('band', s.band);
  if (s.view) p.set('view', s.view);
  return p;
}

/** The query string as it goes in the URL: readable (`,` `$` `{` `:` left alone where they are safe). */
export function queryString(p: URLSearchParams): string {
  const s = p.toString();
  return s.replace(/%2C/gi, ',').replace(/%24/g, '$').replace(/%3A/gi, ':').replace(/%7B/gi, '{').replace(/%7D/gi, '}')
    .replace(/%5B/gi, '[').replace(/%5D/gi, ']').replace(/%22/g, '"').replace(/%7E/gi, '~').replace(/%2F/gi, '/');
}

/** The filter of the runs table: search box, chips, the JSON box and the brush together (an invalid box counts as none). */
export function tableFilter(s: WorkspaceState): Filter | null {
  return andFilters(searchFilter(s.q), statesFilter(s.states), tagsFilter(s.tags), parseFilter(s.filter).filter, brushFilter(s.brush));
}

/** The filter of the comparison panels: the table's runs that are shown in charts. */
export function chartFilter(s: WorkspaceState): Filter | null {
  return andFilters(tableFilter(s), visibilityFilter(s.hidden, s.only));
}

/** Whether a run is shown in charts. */
export function isVisible(s: WorkspaceState, runId: string): boolean {
  return s.only ? s.only.includes(runId) : !s.hidden.includes(runId);
}

/**
 * Shows or hides one run. With `only` (after "hide all" or "show only these") the run joins or
 * leaves that list, and runs that appear later stay hidden; otherwise it joins or leaves
 * `hidden`, and new runs are shown.
 */
export function toggleVisible(s: WorkspaceState, runId: string): Pick<WorkspaceState, 'hidden' | 'only'> {
  if (s.only) {
    return { hidden: [], only: s.only.includes(runId) ? s.only.filter((id) => id !== runId) : [...s.only, runId] };
  }
  return { hidden: s.hidden.includes(runId) ? s.hidden.filter((id) => id !== runId) : [...s.hidden, runId], only: null };
}
