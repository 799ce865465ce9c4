// Which marks a run's lineage puts on its line charts: where it was forked from its parent (the
// history up to there is the parent's, shaded), and where it was rewound to. Pure, unit-tested.

import type { ForkPoint, Rewind } from '../api';
import type { XMark } from './xMarks';

export interface LineageMarksInput {
  /** the chart's x axis: the marks are steps, so only a chart against `_step` gets them */
  xKey: string;
  forkedFrom: ForkPoint | null | undefined;
  /** the parent's display name when known (from the lineage); its id otherwise */
  parentName?: string | null;
  rewinds: readonly Rewind[] | null | undefined;
}

/** The x marks for a run's chart: none unless the x axis is the step. */
export function lineageMarks(input: LineageMarksInput): XMark[] {
  // Time, relative time or another metric as x: a step has no single place there.
  if (input.xKey !== '_step') return [];
  const marks: XMark[] = [];
  const fork = input.forkedFrom;
  if (fork && Number.isFinite(fork.step)) {
    const parent = input.parentName || fork.runId;
    marks.push({ kind: 'span', to: fork.step, label: 'from parent' });
    marks.push({ kind: 'line', x: fork.step, label: `forked from ${parent}`, dashed: false });
  }
  // A run rewound to the same step twice shows one line there.
  const steps = new Set((input.rewinds ?? []).map((r) => r.step).filter((s) => Number.isFinite(s)));
  for (const step of [...steps].sort((a, b) => a - b)) {
    marks.push({ kind: 'line', x: step, label: `rewound to ${step}`, dashed: true });
  }
  return marks;
}
