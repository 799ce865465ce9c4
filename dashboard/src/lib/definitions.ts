// A run's metric definitions (define_metric): which applies to a key, and the x axis it asks for.

export interface MetricDefinition {
  summary: string | null;
  stepMetric: string | null;
}

/** The key's own definition, else the longest "prefix*" that matches it. */
export function definitionFor(definitions: Record<string, MetricDefinition> | undefined, key: string): MetricDefinition | null {
  if (!definitions) return null;
  if (definitions[key]) return definitions[key];
  let best: MetricDefinition | null = null;
  let length = -1;
  for (const [name, definition] of Object.entries(definitions)) {
    if (name.endsWith('*') && name.length - 1 > length && key.startsWith(name.slice(0, -1))) {
      best = definition;
      length = name.length - 1;
    }
  }
  return best;
}

/** Metrics grouped by the step metric their definitions name (metrics without one are left out). */
export function byStepMetric(definitions: Record<string, MetricDefinition> | undefined, keys: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    const x = definitionFor(definitions, key)?.stepMetric;
    if (!x || x === key) continue;
    groups.set(x, [...(groups.get(x) ?? []), key]);
  }
  return groups;
}
