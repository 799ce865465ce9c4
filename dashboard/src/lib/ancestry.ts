// The chain of runs a run was forked from, as the run page lists it. Pure, unit-tested.

import type { ForkPoint, LineageRun } from '../api';

/**
 * The run's ancestors, nearest first: the lineage's when it has loaded and agrees with the run,
 * else the parent the run itself names (by id: its name comes with the lineage). The run's
 * `forkedFrom` is there at once, the lineage a call later, or never from a server without it.
 */
export function ancestorChain(forkedFrom: ForkPoint | null | undefined, ancestors: readonly LineageRun[] | null | undefined): LineageRun[] {
  const chain = ancestors ?? [];
  if (!forkedFrom) return [...chain];
  if (chain.length && chain[0].runId === forkedFrom.runId) return [...chain];
  return [{ runId: forkedFrom.runId, name: null, step: forkedFrom.step }];
}
