// What the importance panel says around its bars: constant keys are left out (a key every run
// shares explains nothing, and a bar for it would read as "unimportant"), and a sweep too small
// for a random forest gets a warning rather than confident-looking bars.

import type { Importance } from '../api';
import { MIN_RUNS_FOR_IMPORTANCE } from './compareDefaults';

/** More bars than this do not fit the panel; the least important go. */
const MAX_BARS = 20;

export interface ImportanceView {
  parameters: Importance['parameters'];
  /** the constant keys left out, without their `config.` prefix */
  constant: string[];
  /** why the bars should not be trusted; null when there are enough runs */
  warning: string | null;
}

export function importanceView(data: Importance): ImportanceView {
  const constant = new Set(data.constantKeys ?? []);
  const strip = (k: string) => k.replace(/^config\./, '');
  const n = data.runsUsed;
  return {
    parameters: data.parameters.filter((p) => !constant.has(p.key)).slice(0, MAX_BARS),
    constant: [...constant].map(strip).sort((a, b) => a.localeCompare(b)),
    warning: n < MIN_RUNS_FOR_IMPORTANCE
      ? `only ${n} run${n === 1 ? '' : 's'}: importance needs about ${MIN_RUNS_FOR_IMPORTANCE} to be reliable`
      : null,
  };
}
