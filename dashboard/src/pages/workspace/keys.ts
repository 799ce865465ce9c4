// Which keys the workspace offers and uses: metrics for line panels, config and summary keys for
// columns, axes and the compare panels' metric. Derived from the project and the loaded runs.

import type { Project, Run } from '../../api';
import { configValue } from '../../lib/filters';
import type { WorkspaceState } from '../../lib/urlState';

const DEFAULT_COLUMNS_EACH = 6;
/** above this many config and summary keys, runs are fetched with only the columns in use */
const COLUMNS_THRESHOLD = 40;

export interface KeySource {
  readonly project: Project | null;
  readonly runs: readonly Run[];
  readonly state: WorkspaceState;
}

export class WorkspaceKeys {
  /** keys seen in run summaries that the project's metric keys lack (yet) */
  private readonly summaryOnly = new Set<string>();

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

  /** Whether the loaded runs disagree on a config key: those are the interesting ones. */
  varies(key: string): boolean {
    return new Set(this.src.runs.slice(0, 500).map((r) => JSON.stringify(configValue(r.config, key) ?? null))).size > 1;
  }

  tableColumnKeys(): string[] {
    const s = this.src.state;
    if (s.cols) return s.cols;
    // By default the config keys that tell the runs apart (all when none or one run is loaded).
    const varying = this.src.runs.length > 1 ? this.configKeys().filter((k) => this.varies(k)) : [];
    const config = varying.length ? varying : this.configKeys();
    return [
      ...config.slice(0, DEFAULT_COLUMNS_EACH).map((k) => `config.${k}`),
      ...this.metricKeys().filter((k) => !k.startsWith('system/')).slice(0, DEFAULT_COLUMNS_EACH).map((k) => `summary.${k}`),
    ];
  }

  /** The metric of the compare panels. */
  metric(): string {
    const chosen = this.src.state.metric;
    const keys = this.summaryKeys();
    if (chosen && (keys.includes(chosen) || !keys.length)) return chosen;
    return chosen || keys[0] || '';
  }

  parallelParams(): string[] {
    const varying = this.src.runs.length > 1 ? this.configKeys().filter((k) => this.varies(k)) : [];
    const keys = this.src.state.pc ?? (varying.length ? varying : this.configKeys()).slice(0, 8);
    return keys.map((k) => (k.startsWith('config.') ? k : `config.${k}`));
  }

  neededColumns(): string[] {
    const cols = new Set(this.tableColumnKeys());
    if (this.src.state.group.startsWith('config.')) cols.add(this.src.state.group);
    for (const p of this.parallelParams()) cols.add(p);
    const m = this.metric();
    if (m) cols.add(`summary.${m}`);
    return [...cols];
  }

  /** The columns to fetch runs with: null (all) unless the project has too many keys. */
  columnsParam(): string[] | null {
    const p = this.src.project;
    const n = (p?.configKeys.length ?? 0) + (p?.metricKeys.length ?? 0);
    return n > COLUMNS_THRESHOLD ? this.neededColumns() : null;
  }
}
