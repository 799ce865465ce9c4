// The runs filter language (docs/api.md, "The filter language"), on the client:
//  - helpers that build filters from the workspace's search box and chips,
//  - a checker that names the offending path the way the server does,
//  - an evaluator, so a run that changes while the workspace is open (a live event) can be
//    placed in or out of the filtered list without asking the server again,
//  - the sort the server applies for `order`, for the same reason.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Filter = { [key: string]: Json };

export interface RunFields {
  runId: string;
  name?: string | null;
  notes?: string | null;
  tags?: string[] | null;
  group?: string | null;
  jobType?: string | null;
  state?: string;
  createdAt?: string;
  config?: Record<string, unknown> | null;
  summary?: Record<string, unknown> | null;
  [key: string]: unknown;
}

const ALIASES: Record<string, string> = {
  display_name: 'name',
  job_type: 'jobType',
  created_at: 'createdAt',
};

export const COMPARISONS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$regex', '$not'] as const;
export const LOGIC = ['$and', '$or', '$nor', '$not'] as const;
export const LIMITS = { bytes: 16 * 1024, depth: 8, conditions: 200, inValues: 1000, regex: 256 };

/** The field's canonical name: `display_name` is `name`, `summary_metrics.x` is `summary.x`. */
export function canonicalField(field: string): string {
  if (field in ALIASES) return ALIASES[field];
  if (field.startsWith('summary_metrics.')) return `summary.${field.slice('summary_metrics.'.length)}`;
  return field;
}

/** A run's value for a filter or sort field; undefined when the run lacks it (null counts as lacking). */
export function fieldValue(run: RunFields, field: string): unknown {
  const f = canonicalField(field);
  if (f.startsWith('config.')) return configValue(run.config, f.slice('config.'.length));
  if (f.startsWith('summary.')) {
    const v = run.summary?.[f.slice('summary.'.length)];
    return v === null ? undefined : v;
  }
  const v = run[f];
  return v === null ? undefined : v;
}

/** `a.b.c` in a nested config; a literal key with dots in it is found too. */
export function configValue(config: Record<string, unknown> | null | undefined, path: string): unknown {
  if (!config) return undefined;
  if (Object.prototype.hasOwnProperty.call(config, path)) {
    const v = config[path];
    return v === null ? undefined : v;
  }
  const dot = path.indexOf('.');
  if (dot < 0) return undefined;
  // The longest prefix that names an object, then the rest inside it.
  for (let i = path.lastIndexOf('.'); i > 0; i = path.lastIndexOf('.', i - 1)) {
    const head = path.slice(0, i);
    const inner = config[head];
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      const v = configValue(inner as Record<string, unknown>, path.slice(i + 1));
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

function isPlainObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isOperatorObject(v: unknown): v is Record<string, Json> {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** A PostgreSQL regular expression as a JavaScript one (enough for the usual `(?i)`, classes and anchors). */
export function toRegExp(pattern: string): RegExp | null {
  let flags = '';
  let p = pattern;
  const embedded = /^\(\?([a-z]+)\)/.exec(p);
  if (embedded) {
    if (embedded[1].includes('i')) flags += 'i';
    p = p.slice(embedded[0].length);
  }
  p = p.replace(/\[\[:(alpha|digit|alnum|space|upper|lower|punct):\]\]/g, (_, c: string) => ({
    alpha: '[A-Za-z]', digit: '\\d', alnum: '[A-Za-z0-9]', space: '\\s', upper: '[A-Z]', lower: '[a-z]', punct: '[!-/:-@[-`{-~]',
  })[c] ?? '');
  try {
    return new RegExp(p, flags);
  } catch {
    return null;
  }
}

function compare(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return null;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    // "NaN" is a summary's NaN: it fails every numeric comparison, and a comparison with a string
    // that is not NaN compares strings.
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return null;
}

function opHolds(value: unknown, present: boolean, op: string, arg: Json, isList: boolean): boolean {
  const items: unknown[] = isList && Array.isArray(value) ? value : [value];
  const eq = (x: unknown) => present && items.some((v) => deepEqual(v, x));
  switch (op) {
    case '$eq':
      return isList && Array.isArray(arg) ? present && deepEqual(value, arg) : eq(arg);
    case '$ne':
      return !(isList && Array.isArray(arg) ? present && deepEqual(value, arg) : eq(arg));
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      if (!present) return false;
      return items.some((v) => {
        const c = compare(v, arg);
        if (c === null) return false;
        return op === '$gt' ? c > 0 : op === '$gte' ? c >= 0 : op === '$lt' ? c < 0 : c <= 0;
      });
    }
    case '$in':
      return Array.isArray(arg) && arg.some((x) => eq(x));
    case '$nin':
      return !(Array.isArray(arg) && arg.some((x) => eq(x)));
    case '$exists':
      return present === Boolean(arg);
    case '$regex': {
      if (!present || typeof arg !== 'string') return false;
      const re = toRegExp(arg);
      return re !== null && items.some((v) => typeof v === 'string' && re.test(v));
    }
    case '$not':
      return !condHolds(value, present, arg, isList);
    default:
      throw new FilterError(`unknown operator '${op}'`);
  }
}

function condHolds(value: unknown, present: boolean, cond: Json, isList: boolean): boolean {
  if (isOperatorObject(cond)) return Object.entries(cond).every(([op, arg]) => opHolds(value, present, op, arg, isList));
  return opHolds(value, present, '$eq', cond, isList);
}

export class FilterError extends Error {}

/** Whether a run matches a filter (null or {} match everything). */
export function matchesFilter(run: RunFields, filter: Filter | null | undefined): boolean {
  if (!filter) return true;
  return Object.entries(filter).every(([key, cond]) => {
    switch (key) {
      case '$and':
        return Array.isArray(cond) && cond.every((f) => matchesFilter(run, f as Filter));
      case '$or':
        return Array.isArray(cond) && cond.some((f) => matchesFilter(run, f as Filter));
      case '$nor':
        return Array.isArray(cond) && !cond.some((f) => matchesFilter(run, f as Filter));
      case '$not':
        return !matchesFilter(run, cond as Filter);
      default: {
        if (key.startsWith('$')) throw new FilterError(`unknown operator '${key}'`);
        const value = fieldValue(run, key);
        return condHolds(value, value !== undefined, cond, canonicalField(key) === 'tags');
      }
    }
  });
}

const KNOWN_FIELDS = new Set(['runId', 'name', 'notes', 'state', 'tags', 'group', 'jobType', 'createdAt', 'display_name', 'job_type', 'created_at']);

/**
 * The first problem with a filter, named like the server does (`filters.$and[1].config.lr:
 * unknown operator '$gtt'`), or null when it looks fine. The server has the last word.
 */
export function checkFilter(filter: unknown): string | null {
  if (!isPlainObject(filter)) return 'filters: must be a JSON object';
  if (JSON.stringify(filter).length > LIMITS.bytes) return `filters: at most ${LIMITS.bytes / 1024} KB`;
  let conditions = 0;
  const visit = (f: unknown, path: string, depth: number): string | null => {
    if (depth > LIMITS.depth) return `${path}: nesting deeper than ${LIMITS.depth}`;
    if (!isPlainObject(f)) return `${path}: expected an object`;
    for (const [key, cond] of Object.entries(f)) {
      const here = `${path}.${key}`;
      if (key === '$and' || key === '$or' || key === '$nor') {
        if (!Array.isArray(cond)) return `${here}: expected a list of filters`;
        for (let i = 0; i < cond.length; i++) {
          const e = visit(cond[i], `${here}[${i}]`, depth + 1);
          if (e) return e;
        }
      } else if (key === '$not') {
        const e = visit(cond, here, depth + 1);
        if (e) return e;
      } else if (key.startsWith('$')) {
        return `${here}: unknown operator '${key}'`;
      } else {
        const field = canonicalField(key);
        if (!KNOWN_FIELDS.has(field) && !field.startsWith('config.') && !field.startsWith('summary.')) {
          return `${here}: unknown field '${key}' (runId, name, notes, state, tags, group, jobType, createdAt, config.<path>, summary.<key>)`;
        }
        const e = checkCondition(cond, here, depth + 1);
        if (e) return e;
      }
    }
    return null;
  };
  const checkCondition = (cond: Json, path: string, depth: number): string | null => {
    if (depth > LIMITS.depth) return `${path}: nesting deeper than ${LIMITS.depth}`;
    conditions++;
    if (conditions > LIMITS.conditions) return `${path}: more than ${LIMITS.conditions} conditions`;
    if (!isOperatorObject(cond)) {
      if (isPlainObject(cond)) {
        const bad = Object.keys(cond).find((k) => !k.startsWith('$'));
        if (Object.keys(cond).some((k) => k.startsWith('$'))) return `${path}: '${bad}' is not an operator`;
      }
      return null;
    }
    for (const [op, arg] of Object.entries(cond)) {
      const here = `${path}.${op}`;
      if (!(COMPARISONS as readonly string[]).includes(op)) return `${path}: unknown operator '${op}'`;
      if ((op === '$in' || op === '$nin') && !Array.isArray(arg)) return `${here}: expected a list`;
      if ((op === '$in' || op === '$nin') && Array.isArray(arg) && arg.length > LIMITS.inValues) return `${here}: at most ${LIMITS.inValues} values`;
      if (op === '$exists' && typeof arg !== 'boolean') return `${here}: expected true or false`;
      if (op === '$regex') {
        if (typeof arg !== 'string') return `${here}: expected a string`;
        if (arg.length > LIMITS.regex) return `${here}: at most ${LIMITS.regex} characters`;
        if (!toRegExp(arg)) return `${here}: not a valid regular expression`;
      }
      if (op === '$not') {
        const e = isOperatorObject(arg) ? checkCondition(arg, here, depth + 1) : `${here}: expected an operator object`;
        if (e) return e;
      }
    }
    return null;
  };
  return visit(filter, 'filters', 1);
}

/** Parses the JSON box: an empty box is no filter. */
export function parseFilter(text: string): { filter: Filter | null; error: string | null } {
  const t = text.trim();
  if (!t) return { filter: null, error: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch (e) {
    return { filter: null, error: `filters: not JSON (${(e as Error).message})` };
  }
  const error = checkFilter(parsed);
  return error ? { filter: null, error } : { filter: parsed as Filter, error: null };
}

/** All parts that are not empty, as one filter. */
export function andFilters(...parts: (Filter | null | undefined)[]): Filter | null {
  const present = parts.filter((p): p is Filter => !!p && Object.keys(p).length > 0);
  if (present.length === 0) return null;
  if (present.length === 1) return present[0];
  // Flatten nested $and of single-key filters for a readable query string.
  const flat: Json[] = [];
  for (const p of present) {
    const keys = Object.keys(p);
    if (keys.length === 1 && keys[0] === '$and' && Array.isArray(p.$and)) flat.push(...p.$and);
    else flat.push(p);
  }
  return { $and: flat };
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The search box: the text anywhere in a run's name, id, tags or notes, any case. */
export function searchFilter(text: string): Filter | null {
  const t = text.trim();
  if (!t) return null;
  const pattern = `(?i)${escapeRegex(t)}`;
  return { $or: ['name', 'runId', 'tags', 'notes'].map((field) => ({ [field]: { $regex: pattern } })) };
}

/** State chips: any of the chosen states. */
export function statesFilter(states: readonly string[]): Filter | null {
  if (states.length === 0) return null;
  if (states.length === 1) return { state: states[0] };
  return { state: { $in: [...states] } };
}

/** Tag chips: runs having any of the chosen tags. */
export function tagsFilter(tags: readonly string[]): Filter | null {
  if (tags.length === 0) return null;
  if (tags.length === 1) return { tags: tags[0] };
  return { tags: { $in: [...tags] } };
}

/** The runs shown in charts: `only` (when set) or everything but `hidden`. */
export function visibilityFilter(hidden: readonly string[], only: readonly string[] | null): Filter | null {
  if (only) return { runId: { $in: [...only] } };
  if (hidden.length) return { runId: { $nin: [...hidden] } };
  return null;
}

/** `-summary.acc` -> {field: 'summary.acc', descending: true}. */
export function parseOrder(order: string): { field: string; descending: boolean } {
  const o = order.trim() || '-createdAt';
  return o.startsWith('-') ? { field: o.slice(1), descending: true } : { field: o.replace(/^\+/, ''), descending: false };
}

function sortKey(v: unknown): [number, number | string] {
  // Numbers before strings before everything else; missing values always last.
  if (typeof v === 'number') return Number.isNaN(v) ? [2, 0] : [0, v];
  if (typeof v === 'string') return v === 'NaN' ? [2, 0] : [1, v];
  if (typeof v === 'boolean') return [0, Number(v)];
  return [3, JSON.stringify(v)];
}

/** A comparator for `order` (missing values last either way; ties by runId). */
export function runComparator(order: string): (a: RunFields, b: RunFields) => number {
  const { field, descending } = parseOrder(order);
  const f = canonicalField(field) === 'name' ? 'name' : field;
  return (a, b) => {
    let va = fieldValue(a, f);
    let vb = fieldValue(b, f);
    if (f === 'name') {
      va = va ?? a.runId;
      vb = vb ?? b.runId;
    }
    if (va === undefined && vb === undefined) return a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0;
    if (va === undefined) return 1;
    if (vb === undefined) return -1;
    const [ta, xa] = sortKey(va);
    const [tb, xb] = sortKey(vb);
    let c = ta !== tb ? ta - tb : xa < xb ? -1 : xa > xb ? 1 : 0;
    if (descending && ta === tb) c = -c;
    if (c === 0) c = a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0;
    return c;
  };
}

/** The value runs are grouped by (`group`, `jobType` or `config.<path>`), as a label. */
export function groupValue(run: RunFields, groupBy: string): string {
  const v = fieldValue(run, groupBy);
  if (v === undefined) return '(none)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
