import { describe, expect, it } from 'vitest';
import { chartFilter, decodeState, DEFAULT_STATE, encodeState, isVisible, queryString, tableFilter, toggleVisible } from '../../src/lib/urlState';

describe('workspace state in the URL', () => {
  it('leaves defaults out', () => {
    expect(encodeState({ ...DEFAULT_STATE }).toString()).toBe('');
    expect(decodeState(new URLSearchParams(''))).toEqual(DEFAULT_STATE);
  });
  it('round-trips everything', () => {
    const s = {
      ...DEFAULT_STATE, q: 'lr 0.1', states: ['running', 'finished'], tags: ['baseline'], filter: '{"config.lr":{"$lt":0.1}}', sort: '-summary.acc',
      group: 'config.optimizer', hidden: ['ab12', 'cd34'], cols: ['config.lr', 'summary.acc'], panels: ['loss'], x: '_timestamp',
      smooth: 0.6, log: ['loss'], max: 50, pc: ['lr', 'batch_size'], metric: 'acc',
      sections: { system: true, compare: false }, order: ['val/loss', 'val/acc'], sizes: { loss: 'l' as const, 'val/acc': 's' as const },
      yRange: { loss: [0, 1.5] as [number, number], 'val/acc': [null, 0.9] as [null, number] }, legend: ['loss'],
    };
    const qs = queryString(encodeState(s));
    expect(decodeState(new URLSearchParams(qs))).toEqual(s);
  });
  it('writes a readable query string', () => {
    const qs = queryString(encodeState({ ...DEFAULT_STATE, states: ['running', 'failed'], filter: '{"tags":"a"}', sort: '-summary.acc' }));
    expect(qs).toBe('state=running,failed&f={"tags":"a"}&sort=-summary.acc');
  });
  it('clamps what it reads', () => {
    const s = decodeState(new URLSearchParams('smooth=5&max=100000&only='));
    expect(s.smooth).toBe(0.99);
    expect(s.max).toBe(100);
    expect(s.only).toEqual([]);
  });
  it('writes the layout compactly and readably', () => {
    const qs = queryString(encodeState({
      ...DEFAULT_STATE, sections: { system: true, train: false, compare: false }, order: ['train/b', 'train/a'],
      sizes: { 'train/a': 'l', loss: 's', acc: 'm' }, yRange: { loss: [0, 2.5], acc: [null, 1e-3], x: [null, null] }, legend: ['loss'],
    }));
    expect(qs).toBe('open=system&shut=train,compare&order=train/b,train/a&size=train/a:l,loss:s&y=loss:0~2.5,acc:~0.001&legend=loss');
  });
  it('reads what it can of a hand-edited layout', () => {
    const s = decodeState(new URLSearchParams('size=a:l,b:huge,c,ns:key:s&y=a:1~x,b:~,c:-1~1e3,d:5,e:~-2'));
    expect(s.sizes).toEqual({ a: 'l', 'ns:key': 's' });
    expect(s.yRange).toEqual({ c: [-1, 1000], e: [null, -2] });
  });
  it('keeps an empty panel list (every panel removed) apart from the default', () => {
    expect(decodeState(new URLSearchParams(queryString(encodeState({ ...DEFAULT_STATE, panels: [] })))).panels).toEqual([]);
  });
  it('combines the search box, chips and JSON box', () => {
    const s = { ...DEFAULT_STATE, q: 'wide', states: ['running'], filter: '{"config.lr":{"$lt":0.1}}' };
    expect(tableFilter(s)).toEqual({ $and: [
      { $or: ['name', 'runId', 'tags', 'notes'].map((f) => ({ [f]: { $regex: '(?i)wide' } })) },
      { state: 'running' },
      { 'config.lr': { $lt: 0.1 } },
    ] });
    expect(tableFilter({ ...DEFAULT_STATE, filter: '{not json' })).toBeNull();
    expect(chartFilter({ ...DEFAULT_STATE, states: ['running'], hidden: ['x'] })).toEqual({ $and: [{ state: 'running' }, { runId: { $nin: ['x'] } }] });
  });
  it('toggles visibility in hidden, or in only after "hide all"', () => {
    let s = { ...DEFAULT_STATE };
    s = { ...s, ...toggleVisible(s, 'a') };
    expect(s.hidden).toEqual(['a']);
    expect(isVisible(s, 'a')).toBe(false);
    s = { ...s, ...toggleVisible(s, 'a') };
    expect(s.hidden).toEqual([]);
    s = { ...s, hidden: [], only: [] };
    expect(isVisible(s, 'a')).toBe(false);
    s = { ...s, ...toggleVisible(s, 'b') };
    expect(s.only).toEqual(['b']);
    expect(isVisible(s, 'b')).toBe(true);
    expect(isVisible(s, 'a')).toBe(false);
  });
});
