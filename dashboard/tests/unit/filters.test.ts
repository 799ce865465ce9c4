import { describe, expect, it } from 'vitest';
import {
  andFilters, canonicalField, checkFilter, configValue, fieldValue, matchesFilter, parseFilter, parseOrder, runComparator,
  searchFilter, statesFilter, tagsFilter, toRegExp, visibilityFilter, groupValue, type RunFields,
} from '../../src/lib/filters';

const run = (o: Partial<RunFields> & { runId: string }): RunFields => ({
  name: null, notes: null, tags: [], group: null, jobType: null, state: 'finished', createdAt: '2026-01-01T00:00:00Z', config: {}, summary: {}, ...o,
});

const a = run({ runId: 'a1', name: 'baseline-lr0.1', tags: ['baseline', 'paper1'], config: { lr: 0.1, optimizer: { name: 'adam', beta: 0.9 }, layers: [1, 2] }, summary: { acc: 0.91, loss: 'NaN' } });
const b = run({ runId: 'b2', name: 'wide', state: 'running', tags: ['wide'], group: 'sweep-1', config: { lr: 0.01, optimizer: { name: 'sgd' } }, summary: { acc: 0.95 } });
const c = run({ runId: 'c3', state: 'crashed', config: { lr: '0.5', 'dotted.key': 3 }, summary: {} });

describe('fields', () => {
  it('knows the aliases', () => {
    expect(canonicalField('display_name')).toBe('name');
    expect(canonicalField('job_type')).toBe('jobType');
    expect(canonicalField('created_at')).toBe('createdAt');
    expect(canonicalField('summary_metrics.acc')).toBe('summary.acc');
  });
  it('reads nested config paths and literal dotted keys', () => {
    expect(fieldValue(a, 'config.optimizer.name')).toBe('adam');
    expect(configValue(c.config, 'dotted.key')).toBe(3);
    expect(fieldValue(a, 'config.missing.x')).toBeUndefined();
    expect(fieldValue(a, 'summary_metrics.acc')).toBe(0.91);
    expect(fieldValue(a, 'group')).toBeUndefined(); // null counts as missing
  });
});

describe('matchesFilter', () => {
  const ids = (f: object) => [a, b, c].filter((r) => matchesFilter(r, f as never)).map((r) => r.runId);
  it('treats a plain value as $eq and entries as $and', () => {
    expect(ids({ state: 'finished' })).toEqual(['a1']);
    expect(ids({ state: 'running', 'config.lr': 0.01 })).toEqual(['b2']);
  });
  it('compares only values of the same type', () => {
    expect(ids({ 'config.lr': { $lt: 0.1 } })).toEqual(['b2']);
    expect(ids({ 'config.lr': { $gte: 0.1 } })).toEqual(['a1']); // "0.5" is a string
  });
  it('fails numeric comparisons for a NaN summary, which equals "NaN"', () => {
    expect(ids({ 'summary.loss': { $gt: 0 } })).toEqual([]);
    expect(ids({ 'summary.loss': { $eq: 'NaN' } })).toEqual(['a1']);
  });
  it('matches a run without the field only with $ne, $nin, $exists false and $not', () => {
    expect(ids({ 'summary.acc': { $ne: 0.91 } })).toEqual(['b2', 'c3']);
    expect(ids({ 'summary.acc': { $nin: [0.91] } })).toEqual(['b2', 'c3']);
    expect(ids({ 'summary.acc': { $exists: false } })).toEqual(['c3']);
    expect(ids({ 'summary.acc': { $not: { $gt: 0.92 } } })).toEqual(['a1', 'c3']);
    expect(ids({ 'summary.acc': { $lt: 2 } })).toEqual(['a1', 'b2']);
  });
  it('matches tags when the list contains the value', () => {
    expect(ids({ tags: 'baseline' })).toEqual(['a1']);
    expect(ids({ tags: { $in: ['wide', 'paper1'] } })).toEqual(['a1', 'b2']);
    expect(ids({ tags: { $ne: 'baseline' } })).toEqual(['b2', 'c3']);
    expect(ids({ tags: { $regex: '^pap' } })).toEqual(['a1']);
  });
  it('does $or, $nor, $and, $not and $regex with (?i)', () => {
    expect(ids({ $or: [{ state: 'running' }, { state: 'crashed' }] })).toEqual(['b2', 'c3']);
    expect(ids({ $nor: [{ state: 'running' }, { state: 'crashed' }] })).toEqual(['a1']);
    expect(ids({ $and: [{ 'config.optimizer.name': { $in: ['adam', 'sgd'] } }, { 'summary.acc': { $gt: 0.92 } }] })).toEqual(['b2']);
    expect(ids({ $not: { state: 'finished' } })).toEqual(['b2', 'c3']);
    expect(ids({ name: { $regex: '(?i)BASE' } })).toEqual(['a1']);
  });
  it('matches everything without a filter', () => {
    expect(ids({})).toEqual(['a1', 'b2', 'c3']);
    expect(matchesFilter(a, null)).toBe(true);
  });
});

describe('checkFilter', () => {
  it('names the offending path like the server', () => {
    expect(checkFilter({ $and: [{ state: 'finished' }, { 'config.lr': { $gtt: 1 } }] })).toBe("filters.$and[1].config.lr: unknown operator '$gtt'");
    expect(checkFilter({ 'config.lr': { $in: 3 } })).toBe('filters.config.lr.$in: expected a list');
    expect(checkFilter({ bogus: 1 })).toMatch(/^filters.bogus: unknown field 'bogus'/);
    expect(checkFilter({ $or: {} })).toBe('filters.$or: expected a list of filters');
    expect(checkFilter([])).toBe('filters: must be a JSON object');
  });
  it('accepts the documented examples', () => {
    expect(checkFilter({ $and: [{ state: 'finished' }, { 'config.learning_rate': { $lt: 0.1 } }] })).toBeNull();
    expect(checkFilter({ tags: { $in: ['a', 'b'] }, display_name: { $regex: 'x' }, 'summary_metrics.acc': { $exists: true } })).toBeNull();
  });
  it('enforces the limits', () => {
    expect(checkFilter({ tags: { $in: Array.from({ length: 1001 }, (_, i) => `t${i}`) } })).toMatch(/at most 1000 values/);
    expect(checkFilter({ name: { $regex: 'x'.repeat(300) } })).toMatch(/at most 256 characters/);
    let deep: object = { state: 'x' };
    for (let i = 0; i < 9; i++) deep = { $and: [deep] };
    expect(checkFilter(deep)).toMatch(/nesting deeper than 8/);
  });
  it('parses the JSON box', () => {
    expect(parseFilter('')).toEqual({ filter: null, error: null });
    expect(parseFilter('{"state": "running"}').filter).toEqual({ state: 'running' });
    expect(parseFilter('{state}').error).toMatch(/^filters: not JSON/);
  });
});

describe('helpers', () => {
  it('builds chip and search filters', () => {
    expect(statesFilter([])).toBeNull();
    expect(statesFilter(['running'])).toEqual({ state: 'running' });
    expect(statesFilter(['running', 'failed'])).toEqual({ state: { $in: ['running', 'failed'] } });
    expect(tagsFilter(['x'])).toEqual({ tags: 'x' });
    expect(searchFilter('  ')).toBeNull();
    expect(searchFilter('lr0.1')).toEqual({ $or: ['name', 'runId', 'tags', 'notes'].map((f) => ({ [f]: { $regex: '(?i)lr0\\.1' } })) });
    expect(visibilityFilter(['a'], null)).toEqual({ runId: { $nin: ['a'] } });
    expect(visibilityFilter(['a'], ['b'])).toEqual({ runId: { $in: ['b'] } });
  });
  it('ands parts together, flattening', () => {
    expect(andFilters(null, {})).toBeNull();
    expect(andFilters({ state: 'x' }, null)).toEqual({ state: 'x' });
    expect(andFilters({ state: 'x' }, { $and: [{ tags: 'a' }, { tags: 'b' }] })).toEqual({ $and: [{ state: 'x' }, { tags: 'a' }, { tags: 'b' }] });
  });
  it('search matches names, ids, tags and notes, any case', () => {
    expect(matchesFilter({ ...b, tags: ['Baseline'] }, searchFilter('baseline'))).toBe(true);
    expect(matchesFilter({ ...b, notes: 'tried a WIDER net' }, searchFilter('wider'))).toBe(true);
    expect(matchesFilter(a, searchFilter('LR0.1'))).toBe(true);
    expect(matchesFilter(c, searchFilter('c3'))).toBe(true);
    expect(matchesFilter(b, searchFilter('lr0.1'))).toBe(false);
  });
  it('translates PostgreSQL classes', () => {
    expect(toRegExp('^[[:digit:]]+$')!.test('123')).toBe(true);
    expect(toRegExp('(')).toBeNull();
  });
  it('groups by value', () => {
    expect(groupValue(a, 'config.optimizer.name')).toBe('adam');
    expect(groupValue(c, 'group')).toBe('(none)');
    expect(groupValue(a, 'config.lr')).toBe('0.1');
  });
});

describe('runComparator', () => {
  it('sorts by a field, missing values last either way, ties by id', () => {
    expect(parseOrder('-summary.acc')).toEqual({ field: 'summary.acc', descending: true });
    expect(parseOrder('')).toEqual({ field: 'createdAt', descending: true });
    expect([a, b, c].sort(runComparator('-summary.acc')).map((r) => r.runId)).toEqual(['b2', 'a1', 'c3']);
    expect([c, b, a].sort(runComparator('summary.acc')).map((r) => r.runId)).toEqual(['a1', 'b2', 'c3']);
    expect([a, b, c].sort(runComparator('name')).map((r) => r.runId)).toEqual(['a1', 'c3', 'b2']);
  });
});
