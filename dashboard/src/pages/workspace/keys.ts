// Which keys the workspace offers and uses: metrics for line panels, config and summary keys for
// columns, axes and the compare panels' metric. Derived from the project and the loaded runs.

import type { Project, Run } from '../../api';
import { defaultAxes, defaultMetric } from '../../lib/compareDefaults';
import type { WorkspaceState } from '../../lib/urlState';

const DEFAULT_COLUMNS_EACH = 6;
/** above this many config and summary keys, runs are fetched with only the columns in use */
const COLUMNS_THRESHOLD = 40;
/** enough runs to tell what a sweep varies; more only costs time on every state change */
const DEFAULTS_SAMPLE = 500;

interface CompareDefaults {
  metric: string;
  /** config keys, without the prefix */
  axes: string[];
}

export interface KeySource {
  readonly project: Project | null;
  readonly runs: readonly Run[];
  readonly state: WorkspaceState;
}

export class WorkspaceKeys {
  /** keys seen in run summaries that the project's metric keys lack (yet) */
  private readonly summaryOnly = new Set<string>();
  private cached: { sig: string; runs: readonly Run[]; defaults: CompareDefaults } | null = null;
  /** the defaults before a brush narrowed the runs: brushing must not move the axes it was made on */
  private unbrushed: CompareDefaults | null = null;

  constructor(private readonly src: KeySource) {}

  /** The keys with a history (a line panel each); not those only ever set in a summary. */
  metricKeys(): string[] {
    return [...(this.src.project?.metricKeys ?? [])].sort((a, b) => a.localeCompare(b));
  }

  configKeys(): string[] {
    return [...(this.src.project?.configKeys ?? [])].sort((a, b) => a.localeCompare(b));
  }

  /** The summary keys: metrics (but system metrics, which stay out of summaries), and values set straight into a summary. */
  summaryKeys(): string[] {
    const keys = new Set([...this.metricKeys().filter((k) => !k.startsWith('system/')), ...this.summaryOnly]);
    for (const r of this.src.runs.slice(0, 200)) for (const k of Object.keys(r.summary ?? {})) keys.add(k);
    return [...keys].sort((a, b) => a.localeCompare(b));
  }

  /** Remembers summary keys the project does not list; true when there was any new one. */
  noteSummaryKeys(runs: readonly Run[]): boolean {
    let added = false;
    for (const r of runs) {
      for (const k of Object.keys(r.summary ?? {})) {
        if (this.src.project?.metricKeys.includes(k) || this.summaryOnly.has(k)) continue;
        this.summaryOnly.add(k);
        added = true;
      }
    }
    return added;
  }

  tableColumnKeys(): string[] {
    const s = this.src.state;
    if (s.cols) return s.cols;
    // By default the config keys a sweep varied, most varied first (all when one run is loaded),
    // and the metric the comparisons use first among the summaries.
    const swept = this.src.runs.length > 1 ? this.compareDefaults().axes : [];
    const config = swept.length ? swept : this.configKeys();
    const metric = this.metric();
    const summary = [...new Set([...(metric ? [metric] : []), ...this.metricKeys().filter((k) => !k.startsWith('system/'))])];
    return [
      ...config.slice(0, DEFAULT_COLUMNS_EACH).map((k) => `config.${k}`),
      ...summary.slice(0, DEFAULT_COLUMNS_EACH).map((k) => `summary.${k}`),
    ];
  }

  /** What the compare panels show when nothing is chosen: a metric that varies, the keys that were swept. */
  compareDefaults(): CompareDefaults {
    const runs = this.src.runs;
    const summaryKeys = this.summaryKeys();
    const configKeys = this.configKeys();
    const sample = runs.slice(0, DEFAULTS_SAMPLE);
    // Live runs are replaced in place as their summaries fill in: the count of values notices.
    const filled = sample.reduce((n, r) => n + Object.keys(r.summary ?? {}).length, 0);
    const sig = `${runs.length}|${filled}|${summaryKeys.join(',')}|${configKeys.join(',')}`;
    if (this.cached?.runs !== runs || this.cached.sig !== sig) {
      const axes = defaultAxes(sample, configKeys);
      const defaults = { metric: defaultMetric(sample, summaryKeys) || summaryKeys[0] || '', axes: axes.length ? axes : configKeys.slice(0, 8) };
      this.cached = { sig, runs, defaults };
    }
    const brushed = Object.keys(this.src.state.brush);
    if (!brushed.length) {
      this.unbrushed = this.cached.defaults;
      return this.unbrushed;
    }
    const base = this.unbrushed ?? this.cached.defaults;
    const missing = brushed.filter((f) => f.startsWith('config.')).map((f) => f.slice('config.'.length)).filter((k) => !base.axes.includes(k));
    return missing.length ? { ...base, axes: [...base.axes, ...missing] } : base;
  }

  /** The metric of the compare panels. */
  metric(): string {
    return this.src.state.metric || this.compareDefaults().metric;
  }

  parallelParams(): string[] {
    const keys = this.src.state.pc ?? this.compareDefaults().axes;
    return keys.map((k) => (k.startsWith('config.') ? k : `config.${k}`));
  }

  /** The scatter panel's fields: by default the most varied config key against the metric. */
  scatterX(): string {
    const axis = this.compareDefaults().axes[0];
    return this.src.state.sx || (axis ? `config.${axis}` : this.parallelParams()[0] ?? '');
  }

  scatterY(): string {
    const metric = this.metric();
    return this.src.state.sy || (metric ? `summary.${metric}` : '');
  }

  neededColumns(): string[] {
    const cols = new Set(this.tableColumnKeys());
    if (this.src.state.group.startsWith('config.')) cols.add(this.src.state.group);
    for (const p of this.parallelParams()) cols.add(p);
    const m = this.metric();
    if (m) cols.add(`summary.${m}`);
    for (const f of [this.scatterX(), this.scatterY()]) if (f) cols.add(f);
    return [...cols];
  }

  /** The columns to fetch runs with: null (all) unless the project has too many keys. */
  columnsParam(): string[] | null {
    const p = this.src.project;
    const n = (p?.configKeys.length ?? 0) + (p?.metricKeys.length ?? 0);
    return n > COLUMNS_THRESHOLD ? this.neededColumns() : null;
  }
}
