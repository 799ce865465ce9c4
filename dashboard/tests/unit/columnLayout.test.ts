import { describe, expect, it } from 'vitest';
import { clampWidth, decodeWidths, dropOn, encodeWidths, moveBy, moveTo } from '../../src/lib/columnLayout';
import { decodeState, DEFAULT_STATE, encodeState, queryString } from '../../src/lib/urlState';

describe('column widths', () => {
  it('round-trip as id:width pairs', () => {
    const w = { 'summary.loss': 120, 'config.lr': 64, 'summary.val/acc': 200 };
    expect(encodeWidths(w)).toBe('summary.loss:120,config.lr:64,summary.val/acc:200');
    expect(decodeWidths(encodeWidths(w))).toEqual(w);
  });
  it('split on the last colon and drop bad entries', () => {
    expect(decodeWidths('config.a:b:90,nowidth,summary.x:abc,summary.y:-3,:50')).toEqual({ 'config.a:b': 90 });
    expect(decodeWidths('')).toEqual({});
    expect(decodeWidths(null)).toEqual({});
  });
  it('are kept within bounds', () => {
    expect(clampWidth(5)).toBe(40);
    expect(clampWidth(5000)).toBe(800);
    expect(decodeWidths('summary.loss:10')).toEqual({ 'summary.loss': 40 });
  });
  it('and the band live in the URL', () => {
    const s = { ...DEFAULT_STATE, widths: { 'summary.loss': 150 }, band: 'std' as const };
    const qs = queryString(encodeState(s));
    expect(qs).toContain('colw=summary.loss:150');
    expect(qs).toContain('band=std');
    expect(decodeState(new URLSearchParams(qs))).toEqual(s);
    expect(decodeState(new URLSearchParams('band=bogus')).band).toBe('minmax');
    expect(encodeState({ ...DEFAULT_STATE }).toString()).toBe('');
  });
});

describe('column order', () => {
  const cols = ['config.lr', 'config.batch', 'summary.loss', 'summary.acc'];
  it('moves a column left or right, stopping at the ends', () => {
    expect(moveBy(cols, 'summary.loss', -1)).toEqual(['config.lr', 'summary.loss', 'config.batch', 'summary.acc']);
    expect(moveBy(cols, 'config.lr', 1)).toEqual(['config.batch', 'config.lr', 'summary.loss', 'summary.acc']);
    expect(moveBy(cols, 'config.lr', -1)).toEqual(cols);
    expect(moveBy(cols, 'summary.acc', 3)).toEqual(cols);
    expect(moveBy(cols, 'nope', 1)).toEqual(cols);
  });
  it('drops a dragged column where the target is', () => {
    expect(dropOn(cols, 'summary.acc', 'config.lr')).toEqual(['summary.acc', 'config.lr', 'config.batch', 'summary.loss']);
    expect(dropOn(cols, 'config.lr', 'summary.loss')).toEqual(['config.batch', 'summary.loss', 'config.lr', 'summary.acc']);
    expect(dropOn(cols, 'config.lr', 'config.lr')).toEqual(cols);
    expect(dropOn(cols, 'config.lr', 'missing')).toEqual(cols);
  });
  it('places a column at an index', () => {
    expect(moveTo(['a', 'b', 'c'], 'c', 0)).toEqual(['c', 'a', 'b']);
    expect(moveTo(['a', 'b', 'c'], 'a', 9)).toEqual(['b', 'c', 'a']);
  });
});
