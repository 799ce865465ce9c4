import { describe, expect, it } from 'vitest';
import {
  formatScalar, fromFilter, isComplete, opLabel, opsFor, parseScalar, splitList, toFilter, type Condition,
} from '../../src/lib/filterBuilder';
import { checkFilter, matchesFilter, type Filter, type RunFields } from '../../src/lib/filters';

const run = (o: Partial<RunFields> & { runId: string }): RunFields => ({
  name: null, notes: null, tags: [], group: null, jobType: null, state: 'finished', createdAt: '2026-01-01T00:00:00Z', config: {}, summary: {}, ...o,
});

const runs = [
  run({ runId: 'a1', name: 'baseline-lr0.1', tags: ['baseline', 'paper1'], notes: 'First TRY (v1)', config: { lr: 0.1, optimizer: { name: 'adam' }, amp: true }, summary: { acc: 0.91, loss: 'NaN' }, createdAt: '2026-01-01T00:00:00Z' }),
  run({ runId: 'b2', name: 'wide', state: 'running', tags: ['wide'], group: 'sweep-1', config: { lr: 0.01, optimizer: { name: 'sgd' }, amp: false }, summary: { acc: 0.95 }, createdAt: '2026-02-01T00:00:00Z' }),
  run({ runId: 'c3', name: 'odd, one', state: 'crashed', config: { lr: '0.5' }, summary: {}, createdAt: '2026-03-01T00:00:00Z' }),
  run({ runId: 'd4', state: 'failed', tags: ['baseline'], group: 'sweep-1', config: { lr: 0.001, optimizer: { name: 'adam' } }, summary: { acc: 0.5 } }),
];

const ids = (f: Filter | null) => runs.filter((r) => matchesFilter(r, f)).map((r) => r.runId);
const c = (field: string, op: Condition['op'], value = ''): Condition => ({ field, op, value });

describe('values', () => {
  it('types config and summary values, and keeps run fields as text', () => {
    expect(parseScalar('0.01', true)).toBe(0.01);
    expect(parseScalar(' -1e-3 ', true)).toBe(-0.001);
    expect(parseScalar('true', true)).toBe(true);
    expect(parseScalar('false', true)).toBe(false);
    expect(parseScalar('adam', true)).toBe('adam');
    expect(parseScalar('NaN', true)).toBe('NaN');
    expect(parseScalar('"0.5"', true)).toBe('0.5');
    expect(parseScalar('0.01', false)).toBe('0.01');
    expect(parseScalar('true', false)).toBe('true');
  });
  it('quotes what would read back as something else', () => {
    expect(formatScalar('0.5', true)).toBe('"0.5"');
    expect(formatScalar('true', true)).toBe('"true"');
    expect(formatScalar('0.5', false)).toBe('0.5');
    expect(formatScalar('a, b', false, true)).toBe('"a, b"');
    expect(formatScalar('a, b', false)).toBe('a, b');
    expect(formatScalar('', false)).toBe('""');
    expect(formatScalar(3, true)).toBe('3');
    for (const v of ['0.5', 'true', ' x ', '"q"', 'a,b', '', 'NaN', 'plain']) {
      expect(parseScalar(formatScalar(v, true, true), true)).toBe(v);
    }
  });
  it('splits comma lists, keeping commas inside quotes', () => {
    expect(splitList('a, b ,c,')).toEqual(['a', 'b', 'c']);
    expect(splitList('"a, b", c')).toEqual(['"a, b"', 'c']);
    expect(splitList('"say \\"hi\\", ok", d')).toEqual(['"say \\"hi\\", ok"', 'd']);
    expect(splitList('  ')).toEqual([]);
  });
});

describe('operators', () => {
  it('offers the operators that fit the field', () => {
    expect(opsFor('config.lr')).toEqual(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'regex', 'exists', 'notExists']);
    expect(opsFor('summary.acc')).toContain('gte');
    expect(opsFor('name')).not.toContain('gt');
    expect(opsFor('state')).toEqual(['eq', 'ne', 'in', 'nin']);
    expect(opsFor('tags')).toEqual(['eq', 'ne', 'in', 'nin', 'contains', 'regex']);
    expect(opsFor('createdAt')).toEqual(['gt', 'gte', 'lt', 'lte']);
    expect(opsFor('bogus')).toEqual([]);
    expect(opsFor('config.')).toEqual([]);
  });
  it('names them for the field', () => {
    expect(opLabel('config.lr', 'gte')).toBe('≥');
    expect(opLabel('config.lr', 'nin')).toBe('not in');
    expect(opLabel('tags', 'eq')).toBe('has');
    expect(opLabel('tags', 'in')).toBe('has any of');
    expect(opLabel('createdAt', 'lt')).toBe('before');
  });
});

describe('toFilter', () => {
  it('writes nothing for no complete condition', () => {
    expect(toFilter([])).toBeNull();
    expect(toFilter([c('', 'eq', 'x'), c('config.lr', 'gt', ' '), c('name', 'in', ' , ')])).toBeNull();
    expect(isComplete(c('config.lr', 'exists'))).toBe(true);
    expect(isComplete(c('state', 'gt', 'x'))).toBe(false); // no such operator for state
  });
  it('writes one condition as it is, several as an $and', () => {
    expect(toFilter([c('config.lr', 'lt', '0.05')])).toEqual({ 'config.lr': { $lt: 0.05 } });
    expect(toFilter([c('state', 'eq', 'finished'), c('summary.acc', 'gte', '0.9')]))
      .toEqual({ $and: [{ state: 'finished' }, { 'summary.acc': { $gte: 0.9 } }] });
  });
  it('writes each operator in the filter language', () => {
    const one = (cond: Condition) => toFilter([cond]);
    expect(one(c('config.amp', 'eq', 'true'))).toEqual({ 'config.amp': true });
    expect(one(c('config.lr', 'eq', '"0.5"'))).toEqual({ 'config.lr': '0.5' });
    expect(one(c('name', 'eq', '0.5'))).toEqual({ name: '0.5' });
    expect(one(c('config.lr', 'ne', '0.1'))).toEqual({ 'config.lr': { $ne: 0.1 } });
    expect(one(c('summary.acc', 'gt', '0.9'))).toEqual({ 'summary.acc': { $gt: 0.9 } });
    expect(one(c('summary.acc', 'lte', '1'))).toEqual({ 'summary.acc': { $lte: 1 } });
    expect(one(c('config.lr', 'in', '0.1, 0.01, "0.5"'))).toEqual({ 'config.lr': { $in: [0.1, 0.01, '0.5'] } });
    expect(one(c('state', 'nin', 'failed,crashed'))).toEqual({ state: { $nin: ['failed', 'crashed'] } });
    expect(one(c('tags', 'in', 'baseline, wide'))).toEqual({ tags: { $in: ['baseline', 'wide'] } });
    expect(one(c('name', 'contains', 'lr0.1'))).toEqual({ name: { $regex: '(?i)lr0\\.1' } });
    expect(one(c('name', 'regex', '^base'))).toEqual({ name: { $regex: '^base' } });
    expect(one(c('group', 'exists'))).toEqual({ group: { $exists: true } });
    expect(one(c('summary.acc', 'notExists'))).toEqual({ 'summary.acc': { $exists: false } });
    expect(one(c('createdAt', 'gte', '2026-02-01'))).toEqual({ createdAt: { $gte: '2026-02-01' } });
  });
  it('writes filters the checker accepts', () => {
    const all: Condition[] = [
      c('config.lr', 'in', '0.1, 0.01'), c('tags', 'contains', 'a(b'), c('name', 'regex', '(?i)^w'), c('summary.acc', 'exists'),
      c('state', 'ne', 'failed'), c('createdAt', 'lt', '2027'), c('display_name', 'eq', 'wide'),
    ];
    const f = toFilter(all);
    expect(checkFilter(f)).toBeNull();
    expect((f!.$and as Filter[])[6]).toEqual({ name: 'wide' }); // aliases written canonically
  });
});

describe('fromFilter', () => {
  const roundTrips: Filter[] = [
    { 'config.lr': { $lt: 0.05 } },
    { state: 'finished' },
    { 'config.amp': false },
    { 'config.lr': '0.5' },
    { name: '0.5' },
    { 'config.lr': { $in: [0.1, 0.01, '0.5', true] } },
    { state: { $nin: ['failed', 'crashed'] } },
    { tags: 'baseline' },
    { tags: { $ne: 'wide' } },
    { tags: { $in: ['baseline', 'a, b'] } },
    { name: { $regex: '(?i)lr0\\.1' } },
    { name: { $regex: '^base' } },
    { notes: { $regex: '(?i)try \\(v1\\)' } },
    { group: { $exists: true } },
    { 'summary.acc': { $exists: false } },
    { createdAt: { $gte: '2026-02-01T00:00:00Z' } },
    { 'summary.loss': 'NaN' },
    { $and: [{ state: 'finished' }, { 'summary.acc': { $gte: 0.9 } }, { 'config.optimizer.name': 'adam' }] },
  ];
  it('gives rows that write the same filter back', () => {
    for (const f of roundTrips) {
      const rows = fromFilter(f);
      expect(rows, JSON.stringify(f)).not.toBeNull();
      expect(toFilter(rows!), JSON.stringify(f)).toEqual(f);
    }
  });
  it('gives back the rows a filter was built from', () => {
    const rows: Condition[] = [
      c('config.lr', 'gte', '0.01'), c('config.lr', 'lt', '0.5'), c('state', 'in', 'running, finished'), c('tags', 'eq', 'baseline'),
      c('name', 'contains', 'lr0.1'), c('notes', 'regex', 'a|b'), c('group', 'notExists'), c('summary.acc', 'eq', '"0.9"'),
    ];
    expect(fromFilter(toFilter(rows))).toEqual(rows);
  });
  it('reads other spellings of the same conditions', () => {
    expect(fromFilter(null)).toEqual([]);
    expect(fromFilter({})).toEqual([]);
    expect(fromFilter({ state: { $eq: 'running' } })).toEqual([c('state', 'eq', 'running')]);
    expect(fromFilter({ 'config.lr': { $gt: 0.01, $lt: 0.1 }, display_name: 'wide' }))
      .toEqual([c('config.lr', 'gt', '0.01'), c('config.lr', 'lt', '0.1'), c('name', 'eq', 'wide')]);
    expect(fromFilter({ $and: [{ $and: [{ state: 'failed' }] }, { 'summary_metrics.acc': 1 }] }))
      .toEqual([c('state', 'eq', 'failed'), c('summary.acc', 'eq', '1')]);
  });
  it('gives null for what the rows cannot hold', () => {
    const no: Filter[] = [
      { $or: [{ state: 'running' }, { state: 'failed' }] },
      { $nor: [{ state: 'running' }] },
      { $not: { state: 'running' } },
      { 'config.lr': { $not: { $gt: 1 } } },
      { name: 5 },                           // a number for a text field
      { 'config.lr': null },
      { 'config.x': { a: 1 } },
      { tags: ['a', 'b'] },                  // the exact list
      { tags: { $exists: true } },
      { state: { $regex: 'fail' } },         // not an operator of state
      { createdAt: '2026-01-01' },
      { 'config.lr': { $in: [] } },
      { 'config.lr': { $in: [[1]] } },
      { bogus: 1 },
      { $and: [{ state: 'running' }, { $or: [] }] },
      { $and: 'x' as never },
    ];
    for (const f of no) expect(fromFilter(f), JSON.stringify(f)).toBeNull();
  });
});

describe('what a condition means, as matchesFilter sees it', () => {
  const one = (field: string, op: Condition['op'], value = '') => ids(toFilter([c(field, op, value)]));
  it('compares config and summary numbers as numbers', () => {
    expect(one('config.lr', 'eq', '0.1')).toEqual(['a1']);
    expect(one('config.lr', 'eq', '"0.5"')).toEqual(['c3']); // the quoted string
    expect(one('config.lr', 'ne', '0.1')).toEqual(['b2', 'c3', 'd4']);
    expect(one('config.lr', 'lt', '0.05')).toEqual(['b2', 'd4']); // "0.5" is a string: not less than a number
    expect(one('config.lr', 'gte', '0.01')).toEqual(['a1', 'b2']);
    expect(one('summary.acc', 'gt', '0.9')).toEqual(['a1', 'b2']);
    expect(one('summary.acc', 'lte', '0.91')).toEqual(['a1', 'd4']);
    expect(one('config.lr', 'in', '0.1, 0.001')).toEqual(['a1', 'd4']);
    expect(one('config.lr', 'nin', '0.1, 0.001')).toEqual(['b2', 'c3']);
    expect(one('config.amp', 'eq', 'false')).toEqual(['b2']);
    expect(one('config.optimizer.name', 'eq', 'adam')).toEqual(['a1', 'd4']);
    expect(one('summary.loss', 'eq', 'NaN')).toEqual(['a1']);
    expect(one('summary.loss', 'gt', '0')).toEqual([]); // NaN fails every comparison
  });
  it('matches text with contains (any case, literal) and regex', () => {
    expect(one('name', 'contains', 'LR0.1')).toEqual(['a1']);
    expect(one('name', 'contains', '.')).toEqual(['a1']); // the dot is not "any character"
    expect(one('notes', 'contains', 'try (v1)')).toEqual(['a1']);
    expect(one('name', 'regex', '^w')).toEqual(['b2']);
    expect(one('name', 'in', '"odd, one", wide')).toEqual(['b2', 'c3']);
  });
  it('tells a missing field with exists / not exists', () => {
    expect(one('group', 'exists')).toEqual(['b2', 'd4']);
    expect(one('group', 'notExists')).toEqual(['a1', 'c3']);
    expect(one('summary.acc', 'notExists')).toEqual(['c3']);
  });
  it('reads the state', () => {
    expect(one('state', 'eq', 'running')).toEqual(['b2']);
    expect(one('state', 'ne', 'finished')).toEqual(['b2', 'c3', 'd4']);
    expect(one('state', 'in', 'failed, crashed')).toEqual(['c3', 'd4']);
    expect(one('state', 'nin', 'failed, crashed')).toEqual(['a1', 'b2']);
  });
  it('treats tags as a list: has, has not, any of, none of, contains', () => {
    expect(one('tags', 'eq', 'baseline')).toEqual(['a1', 'd4']);
    expect(one('tags', 'ne', 'baseline')).toEqual(['b2', 'c3']);
    expect(one('tags', 'in', 'paper1, wide')).toEqual(['a1', 'b2']);
    expect(one('tags', 'nin', 'paper1, wide')).toEqual(['c3', 'd4']);
    expect(one('tags', 'contains', 'PAPER')).toEqual(['a1']);
  });
  it('compares creation times', () => {
    expect(one('createdAt', 'gte', '2026-02-01')).toEqual(['b2', 'c3']);
    expect(one('createdAt', 'lt', '2026-02-01')).toEqual(['a1', 'd4']);
  });
  it('ANDs the rows', () => {
    expect(ids(toFilter([c('tags', 'eq', 'baseline'), c('state', 'eq', 'failed')]))).toEqual(['d4']);
    expect(ids(toFilter([c('config.lr', 'gt', '0.001'), c('config.lr', 'lt', '0.1'), c('group', 'exists')]))).toEqual(['b2']);
  });
});
