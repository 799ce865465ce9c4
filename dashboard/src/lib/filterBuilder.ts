// The filter builder's model: rows of { field, op, value } (what the form holds, values as typed
// text) to and from the filter language of lib/filters.ts (docs/api.md, "The filter language").
//
//  - toFilter(conditions): the ANDed conditions as a filter (null when there is none). Rows with no
//    field, or no value where the operator needs one, are left out (a row being filled in).
//  - fromFilter(filter): the rows of a filter that is a flat AND of such conditions, or null when
//    it is not (an $or, a $not, a value the form cannot hold...): the JSON box stays its editor.
//
// Values: for config.* and summary.* a number stays a number and true/false are booleans; quote
// a value to keep it a string ("0.5"). `in` and `not in` take a comma list (quote an item with a
// comma in it). `contains` is a case-insensitive regex of the escaped text. `tags` is a list:
// = is "has the tag", in is "has any of" (filters.ts matches a tag list that way).

import { canonicalField, escapeRegex, type Filter, type Json } from './filters';

export type Op = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'nin' | 'contains' | 'regex' | 'exists' | 'notExists';

export interface Condition {
  field: string;
  op: Op;
  /** the text of the value input ('' for exists / not exists) */
  value: string;
}

export type FieldKind = 'typed' | 'text' | 'state' | 'tags' | 'time';

/** The run fields the builder offers, with labels (config.* and summary.* come from the project). */
export const RUN_FIELDS: readonly [field: string, label: string][] = [
  ['name', 'Name'], ['state', 'State'], ['tags', 'Tags'], ['notes', 'Notes'], ['group', 'Group'],
  ['jobType', 'Job type'], ['createdAt', 'Created'], ['runId', 'Run id'],
];

export const STATES = ['running', 'finished', 'failed', 'crashed'] as const;

export function fieldKind(field: string): FieldKind | null {
  const f = canonicalField(field);
  if (f.startsWith('config.') || f.startsWith('summary.')) return f.length > f.indexOf('.') + 1 ? 'typed' : null;
  switch (f) {
    case 'state': return 'state';
    case 'tags': return 'tags';
    case 'createdAt': return 'time';
    case 'name': case 'notes': case 'group': case 'jobType': case 'runId': return 'text';
    default: return null;
  }
}

const OPS_BY_KIND: Record<FieldKind, Op[]> = {
  typed: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'regex', 'exists', 'notExists'],
  text: ['eq', 'ne', 'in', 'nin', 'contains', 'regex', 'exists', 'notExists'],
  state: ['eq', 'ne', 'in', 'nin'],
  tags: ['eq', 'ne', 'in', 'nin', 'contains', 'regex'],
  time: ['gt', 'gte', 'lt', 'lte'],
};

const LABELS: Record<Op, string> = {
  eq: '=', ne: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤', in: 'in', nin: 'not in',
  contains: 'contains', regex: 'matches regex', exists: 'exists', notExists: 'not exists',
};
const TAG_LABELS: Partial<Record<Op, string>> = { eq: 'has', ne: 'has not', in: 'has any of', nin: 'has none of' };
const TIME_LABELS: Partial<Record<Op, string>> = { gt: 'after', gte: 'at or after', lt: 'before', lte: 'at or before' };

/** The operators that fit a field, in menu order ([] for a field the language does not know). */
export function opsFor(field: string): Op[] {
  const kind = fieldKind(field);
  return kind ? OPS_BY_KIND[kind] : [];
}

export function opLabel(field: string, op: Op): string {
  const kind = fieldKind(field);
  return (kind === 'tags' ? TAG_LABELS[op] : kind === 'time' ? TIME_LABELS[op] : undefined) ?? LABELS[op];
}

export function needsValue(op: Op): boolean {
  return op !== 'exists' && op !== 'notExists';
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
type Scalar = string | number | boolean;

/** One value as typed: a quoted string, or (for config/summary) a number or boolean, else the text. */
export function parseScalar(text: string, typed: boolean): Scalar {
  const t = text.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    try {
      const s: unknown = JSON.parse(t);
      if (typeof s === 'string') return s;
    } catch { /* not a JSON string: the text itself */ }
  }
  if (typed) {
    if (NUMBER.test(t) && Number.isFinite(Number(t))) return Number(t);
    if (t === 'true') return true;
    if (t === 'false') return false;
  }
  return t;
}

/** The text parseScalar reads back as `v`. */
export function formatScalar(v: Scalar, typed: boolean, inList = false): string {
  if (typeof v !== 'string') return String(v);
  const quote = v === '' || v !== v.trim() || v.startsWith('"')
    || (typed && (NUMBER.test(v) || v === 'true' || v === 'false'))
    || (inList && v.includes(','));
  return quote ? JSON.stringify(v) : v;
}

/** A comma list, commas inside double quotes kept. */
export function splitList(text: string): string[] {
  const items: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && quoted && i + 1 < text.length) {
      cur += ch + text[++i];
    } else if (ch === '"') {
      quoted = !quoted;
      cur += ch;
    } else if (ch === ',' && !quoted) {
      items.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  items.push(cur);
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

const OP_KEYS: Record<Exclude<Op, 'eq' | 'contains' | 'regex' | 'exists' | 'notExists'>, string> = {
  ne: '$ne', gt: '$gt', gte: '$gte', lt: '$lt', lte: '$lte', in: '$in', nin: '$nin',
};

/** Whether a row is complete enough to be part of the filter. */
export function isComplete(c: Condition): boolean {
  if (!c.field || !opsFor(c.field).includes(c.op)) return false;
  if (!needsValue(c.op)) return true;
  if (c.op === 'in' || c.op === 'nin') return splitList(c.value).length > 0;
  return c.value.trim() !== '';
}

/** One row as the condition object of its field. */
export function conditionJson(c: Condition): Json {
  const typed = fieldKind(c.field) === 'typed';
  switch (c.op) {
    case 'eq':
      return parseScalar(c.value, typed);
    case 'contains':
      return { $regex: `(?i)${escapeRegex(c.value.trim())}` };
    case 'regex':
      return { $regex: c.value.trim() };
    case 'exists':
      return { $exists: true };
    case 'notExists':
      return { $exists: false };
    case 'in':
    case 'nin':
      return { [OP_KEYS[c.op]]: splitList(c.value).map((s) => parseScalar(s, typed)) };
    default:
      return { [OP_KEYS[c.op]]: parseScalar(c.value, typed) };
  }
}

/** The complete rows, ANDed, in the filter language; null when there is none. */
export function toFilter(conditions: readonly Condition[]): Filter | null {
  const parts: Filter[] = conditions.filter(isComplete).map((c) => ({ [canonicalField(c.field)]: conditionJson(c) }));
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0];
  return { $and: parts };
}

function isPlainObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/** The text of a `contains` pattern ((?i) and an escaped literal), or null. */
function containsText(pattern: string): string | null {
  if (!pattern.startsWith('(?i)')) return null;
  const rest = pattern.slice(4);
  const text = rest.replace(/\\([.*+?^${}()|[\]\\])/g, '$1');
  return text.trim() !== '' && text === text.trim() && escapeRegex(text) === rest ? text : null;
}

/** The rows of one field's condition, or null when the form cannot hold it. */
function rowsOf(field: string, cond: Json): Condition[] | null {
  const kind = fieldKind(field);
  if (!kind) return null;
  const typed = kind === 'typed';
  const scalar = (v: Json): string | null => {
    if (!isScalar(v)) return null;
    const text = formatScalar(v, typed);
    return parseScalar(text, typed) === v ? text : null;
  };
  const list = (v: Json): string | null => {
    if (!Array.isArray(v) || v.length === 0) return null;
    const texts = v.map((x) => (isScalar(x) ? formatScalar(x, typed, true) : null));
    if (texts.some((t) => t === null)) return null;
    const text = texts.join(', ');
    const back = splitList(text).map((s) => parseScalar(s, typed));
    return back.length === v.length && back.every((x, i) => x === v[i]) ? text : null;
  };
  const rows: Condition[] = [];
  const push = (op: Op, value: string | null): boolean => {
    if (value === null || !opsFor(field).includes(op)) return false;
    rows.push({ field, op, value });
    return true;
  };
  const isOperatorObject = isPlainObject(cond) && Object.keys(cond).length > 0 && Object.keys(cond).every((k) => k.startsWith('$'));
  if (!isOperatorObject) return push('eq', scalar(cond)) ? rows : null;
  for (const [op, arg] of Object.entries(cond as Record<string, Json>)) {
    let ok: boolean;
    switch (op) {
      case '$eq': ok = push('eq', scalar(arg)); break;
      case '$ne': ok = push('ne', scalar(arg)); break;
      case '$gt': ok = push('gt', scalar(arg)); break;
      case '$gte': ok = push('gte', scalar(arg)); break;
      case '$lt': ok = push('lt', scalar(arg)); break;
      case '$lte': ok = push('lte', scalar(arg)); break;
      case '$in': ok = push('in', list(arg)); break;
      case '$nin': ok = push('nin', list(arg)); break;
      case '$exists': ok = typeof arg === 'boolean' && push(arg ? 'exists' : 'notExists', ''); break;
      case '$regex': {
        if (typeof arg !== 'string' || arg.trim() === '' || arg !== arg.trim()) return null;
        const text = containsText(arg);
        ok = text !== null ? push('contains', text) : push('regex', arg);
        break;
      }
      default: ok = false; // $not and anything else
    }
    if (!ok) return null;
  }
  return rows;
}

/** The rows of a filter that is a flat AND of conditions the form can hold; else null. */
export function fromFilter(filter: Filter | null | undefined): Condition[] | null {
  if (!filter) return [];
  if (!isPlainObject(filter)) return null;
  const rows: Condition[] = [];
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and') {
      if (!Array.isArray(cond)) return null;
      for (const part of cond) {
        if (!isPlainObject(part)) return null;
        const inner = fromFilter(part);
        if (!inner) return null;
        rows.push(...inner);
      }
    } else if (key.startsWith('$')) {
      return null; // $or, $nor, $not
    } else {
      const r = rowsOf(canonicalField(key), cond);
      if (!r) return null;
      rows.push(...r);
    }
  }
  return rows;
}
