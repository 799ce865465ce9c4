// The shapes the Query API answers with (docs/api.md).

import type { MetricDefinition } from './lib/definitions';
import type { RunFields } from './lib/filters';
import type { GroupSeries, SampledSeries } from './lib/series';

export interface Project {
  id?: string;
  entity?: string;
  name: string;
  runCount: number;
  runsByState: Record<string, number>;
  metricKeys: string[];
  configKeys: string[];
  createdAt?: string;
  lastActivityAt?: string;
}

export interface ArtifactRef {
  name: string;
  version: string;
  digest?: string;
}

export interface Run extends RunFields {
  runId: string;
  name: string | null;
  notes: string | null;
  tags: string[];
  group: string | null;
  jobType: string | null;
  state: string;
  exitCode: number | null;
  /** the exception that ended a failed run */
  failure?: RunFailure | null;
  /** define_metric: how each metric (or "prefix*") is summarised and which key is its x axis */
  metricDefinitions?: Record<string, MetricDefinition>;
  /** console lines kept so far, and whether the run's limit cut its output */
  consoleLines?: number;
  consoleLimitReached?: boolean;
  config: Record<string, unknown>;
  summary: Record<string, number | string | boolean>;
  lastStep: number | null;
  createdAt: string;
  /** set while the run is deleted (it is out of lists until restored) */
  deletedAt?: string | null;
  /** the project the run moved to (it is deleted here) */
  movedTo?: string | null;
  updatedAt?: string;
  finishedAt?: string | null;
  /** the run's event stream version: a later state of the run has a higher one */
  streamVersion?: number;
  rejectedFrames?: unknown[];
  /** the artifact versions the run made and read */
  artifactsLogged?: ArtifactRef[];
  artifactsUsed?: ArtifactRef[];
  /** fork_from: its history is this run's up to and including the step (a reference), then its own */
  forkedFrom?: ForkPoint | null;
  /** resume_from: each time its history after `step` was superseded, oldest first */
  rewinds?: Rewind[];
}

/** The run (same project) and step a run was forked from. */
export interface ForkPoint {
  runId: string;
  step: number;
}

/** A rewind (resume_from): at `at` the run went back to `step` and logged on from step + 1. */
export interface Rewind {
  step: number;
  at: string;
}

/** A run of a lineage: an ancestor (`step`: where its child in the chain was forked from it) or a fork (`step`: where it was forked). */
export interface LineageRun {
  runId: string;
  /** null for a run that no longer exists */
  name: string | null;
  step: number;
  /** forks only */
  state?: string;
}

/** The runs a run descends from (nearest first) and the runs forked from it (by step, then id). */
export interface Lineage {
  ancestors: LineageRun[];
  forks: LineageRun[];
}

export interface RunFailure {
  type: string;
  message: string;
  traceback: string;
}

export interface GitState {
  commit: string | null;
  branch: string | null;
  remoteUrl: string | null;
  dirty: boolean;
  diff: string | null;
  diffTruncated: boolean;
}

/** Where a run's code came from and what it ran on. */
export interface RunEnvironment {
  git: GitState | null;
  program: string | null;
  args: string[];
  runtime: string | null;
  host: string | null;
  os: string | null;
  packages: string[];
}

export interface LogLine {
  line: number;
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface LogsPage {
  lines: LogLine[];
  next: number | null;
  total: number;
  limitReached: boolean;
}

export interface RunPage {
  runs: Run[];
  total: number;
  nextCursor: string | null;
}

export interface ArtifactFile {
  path: string;
  digest: string;
  size: number;
}

export interface ArtifactVersion {
  index: number;
  version: string;
  digest: string;
  size: number;
  description?: string | null;
  files: ArtifactFile[];
  aliases: string[];
  createdBy?: string | null;
  loggedBy?: string[];
  usedBy?: string[];
  createdAt?: string;
  metadata?: Record<string, unknown> | null;
}

export interface ArtifactCollection {
  id?: string;
  name: string;
  type: string;
  versions: ArtifactVersion[];
}

export interface MultiHistory {
  x: string;
  runs: Record<string, Record<string, SampledSeries>>;
}

export interface GroupedHistory {
  x: string;
  key: string;
  groups: GroupSeries[];
}

export interface ParallelData {
  dimensions: string[];
  rows: { runId: string; name: string | null; values: (number | string | null)[] }[];
}

export interface Importance {
  metric: string;
  runsUsed: number;
  parameters: { key: string; importance: number | null; correlation: number | null }[];
  /** keys with one value among the runs used: not ranked */
  constantKeys?: string[];
}

/** A saved workspace view: `state` is the workspace link's query string. */
export interface SavedView {
  viewId: string;
  name: string;
  state: string;
  savedBy: string;
  createdAt: string;
  savedAt: string;
  saves: number;
}

/** One event of a run's audit trail; `by` is an API key's id, "run" or "server". */
export interface AuditEntry {
  version: number;
  at: string;
  kind: string;
  sequence: number | null;
  by: string;
  detail: string;
}
