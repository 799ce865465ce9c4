import { describe, expect, it } from 'vitest';
import type { Project, Run } from '../../src/api';
import { axisIntervals, describeBrush, withAxisBrush } from '../../src/lib/brush';
import { importanceView } from '../../src/lib/importanceView';
import { chartFilter, decodeState, DEFAULT_STATE, encodeState, queryString, tableFilter, type WorkspaceState } from '../../src/lib/urlState';
import { WorkspaceKeys } from '../../src/pages/workspace/keys';

describe('the brush and the scatter fields in the URL', () => {
  const brush = { 'config.lr': { ranges: [[0.0001, 0.01]] as [number, number][] }, 'config.optimizer': { values: ['adam', 'sgd'] } };
  it('round-trip, and stay out while unset', () => {
    const s = { ...DEFAULT_STATE, brush, sx: 'config.lr', sy: 'summary.val/acc' };
    const qs = queryString(encodeState(s));
    expect(qs).toContain('sx=config.lr&sy=summary.val/acc');
    expect(qs).toMatch(/(^|&)brush=/);
    expect(decodeState(new URLSearchParams(qs))).toEqual(s);
    expect(queryString(encodeState({ ...DEFAULT_STATE, brush: {} }))).toBe('');
  });
  it('narrow the table and the charts', () => {
    const s = { ...DEFAULT_STATE, states: ['finished'], brush: { 'config.lr': brush['config.lr'] } };
    expect(tableFilter(s)).toEqual({ $and: [{ state: 'finished' }, { 'config.lr': { $gte: 0.0001, $lte: 0.01 } }] });
    expect(JSON.stringify(chartFilter({ ...s, hidden: ['a'] }))).toContain('"config.lr"');
    expect(tableFilter({ ...DEFAULT_STATE })).toBeNull();
  });
});

describe('drawing a brush back on its axis', () => {
  it('gives the ranges, or an interval around each chosen category', () => {
    const b = withAxisBrush(withAxisBrush({}, 'config.lr', [[0.01, 0.001]]), 'config.opt', [[0.7, 1.2]], ['adam', 'adamw', 'sgd']);
    expect(axisIntervals(b, 'config.lr')).toEqual([[0.001, 0.01]]);
    const intervals = axisIntervals(b, 'config.opt', ['adam', 'adamw', 'sgd']);
    expect(intervals).toEqual([[0.6, 1.4]]);
    // drawn back, the interval means the same categories
    expect(withAxisBrush({}, 'config.opt', intervals, ['adam', 'adamw', 'sgd'])).toEqual({ 'config.opt': { values: ['adamw'] } });
    expect(axisIntervals(b, 'config.other')).toEqual([]);
    expect(axisIntervals(b, 'config.opt')).toEqual([]);
  });
  it('says what is brushed', () => {
    expect(describeBrush({ 'config.lr': { ranges: [[0.01, 0.001]] }, 'config.opt': { values: ['a', 'b'] } })).toBe('lr 0.001\u20130.01 \u00b7 opt a, b');
  });
});

describe('importanceView', () => {
  const params = [{ key: 'config.lr', importance: 0.7, correlation: -0.6 }, { key: 'config.dataset', importance: 0, correlation: null }];
  it('leaves the constant keys out and names them', () => {
    const v = importanceView({ metric: 'summary.acc', runsUsed: 30, parameters: params, constantKeys: ['config.dataset', 'config.arch'] });
    expect(v.parameters.map((p) => p.key)).toEqual(['config.lr']);
    expect(v.constant).toEqual(['arch', 'dataset']);
    expect(v.warning).toBeNull();
  });
  it('warns below the runs importance needs', () => {
    expect(importanceView({ metric: 'summary.acc', runsUsed: 12, parameters: params }).warning).toBe('only 12 runs: importance needs about 20 to be reliable');
    expect(importanceView({ metric: 'summary.acc', runsUsed: 1, parameters: [] }).warning).toMatch(/^only 1 run:/);
    expect(importanceView({ metric: 'summary.acc', runsUsed: 20, parameters: [] }).warning).toBeNull();
  });
});

describe('the compare panels\' keys', () => {
  const project = { name: 'p', configKeys: ['dataset', 'lr', 'optimizer', 'seed'], metricKeys: ['loss', 'val/acc', 'val/const'] } as unknown as Project;
  const run = (i: number): Run => ({
    runId: `r${i}`, name: `r${i}`, config: { dataset: 'cats', lr: [1e-4, 1e-3, 1e-2][i % 3], optimizer: i % 2 ? 'adam' : 'sgd', seed: i },
    summary: { loss: 1 / (i + 1), 'val/acc': 0.5 + i / 100, 'val/const': 1 },
  }) as unknown as Run;
  const all = Array.from({ length: 12 }, (_, i) => run(i));
  const source = (state: Partial<WorkspaceState>, runs = all) => ({ project, runs, state: { ...DEFAULT_STATE, ...state } });

  it('default to a varying validation metric and the swept keys, the scatter to both', () => {
    const keys = new WorkspaceKeys(source({}));
    expect(keys.metric()).toBe('val/acc');
    expect(keys.parallelParams()).toEqual(['config.lr', 'config.optimizer', 'config.seed']);
    expect(keys.scatterX()).toBe('config.lr');
    expect(keys.scatterY()).toBe('summary.val/acc');
    expect(keys.neededColumns()).toEqual(expect.arrayContaining(['config.lr', 'summary.val/acc']));
  });
  it('follow the state where it chooses', () => {
    const keys = new WorkspaceKeys(source({ metric: 'loss', pc: ['seed'], sx: 'config.seed', sy: 'summary.loss' }));
    expect(keys.metric()).toBe('loss');
    expect(keys.parallelParams()).toEqual(['config.seed']);
    expect([keys.scatterX(), keys.scatterY()]).toEqual(['config.seed', 'summary.loss']);
  });
  it('keep the axes a brush was made on while it narrows the runs', () => {
    const src = { ...source({}) };
    const keys = new WorkspaceKeys(src);
    expect(keys.parallelParams()).toContain('config.optimizer');
    // brushed to the adam runs: optimizer is constant among them, yet its axis stays
    src.state = { ...src.state, brush: { 'config.optimizer': { values: ['adam'] } } };
    src.runs = all.filter((r) => r.config.optimizer === 'adam');
    expect(keys.parallelParams()).toEqual(['config.lr', 'config.optimizer', 'config.seed']);
    // opened from a link with the brush (no unbrushed runs seen): the brushed key joins the axes
    const fresh = new WorkspaceKeys(source({ brush: { 'config.optimizer': { values: ['adam'] } } }, src.runs));
    expect(fresh.parallelParams()).toContain('config.optimizer');
  });
});
