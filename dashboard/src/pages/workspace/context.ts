// What the workspace's parts (runs pane, line charts, compare panels) share: the page owns the
// state and the runs; the parts read them through this and change the view only via setState,
// so the URL stays the one source of truth.

import type { Project, Run } from '../../api';
import type { ColorBook } from '../../lib/colors';
import type { WorkspaceState } from '../../lib/urlState';
import type { WorkspaceKeys } from './keys';

export interface WorkspaceContext {
  readonly name: string;
  readonly state: WorkspaceState;
  readonly project: Project | null;
  /** the runs of the table, in its order */
  readonly runs: readonly Run[];
  /** the runs matching the table's filter on the server (more than `runs` past the page limit) */
  readonly total: number;
  readonly loadingRuns: boolean;
  readonly runsError: string | null;
  readonly keys: WorkspaceKeys;
  readonly runColors: ColorBook;
  readonly groupColors: ColorBook;
  readonly disposed: boolean;
  setState(patch: Partial<WorkspaceState>): void;
  /** puts an edited run in place of its older self */
  replaceRun(run: Run): void;
  /** takes runs out of the table and charts at once (deleted here; the server's events follow) */
  dropRuns(ids: readonly string[]): void;
  /** loads the runs again (restored runs come back) */
  reloadRuns(): void;
  /** setTimeout, cancelled when the page goes */
  later(fn: () => void, ms: number): ReturnType<typeof setTimeout>;
}
