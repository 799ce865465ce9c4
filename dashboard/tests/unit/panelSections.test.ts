import { describe, expect, it } from 'vitest';
import { groupSections, isSectionOpen, moveKey, orderKeys, sectionOf, setSectionOpen } from '../../src/lib/panelSections';

describe('panel sections', () => {
  it('groups keys by prefix: unprefixed first, prefixes alphabetically, system last', () => {
    const keys = ['val/loss', 'system/cpu', 'loss', 'train/loss', 'accuracy', 'train/acc', 'eval/f1', 'val/acc'];
    expect(groupSections(keys)).toEqual([
      { id: 'charts', title: 'Charts', keys: ['accuracy', 'loss'] },
      { id: 'eval', title: 'eval', keys: ['eval/f1'] },
      { id: 'train', title: 'train', keys: ['train/acc', 'train/loss'] },
      { id: 'val', title: 'val', keys: ['val/acc', 'val/loss'] },
      { id: 'system', title: 'System', keys: ['system/cpu'] },
    ]);
  });

  it('takes the first segment of a deeper key, and a leading slash is no prefix', () => {
    expect(sectionOf('train/layer1/grad')).toBe('train');
    expect(sectionOf('/odd')).toBe('charts');
    expect(groupSections([])).toEqual([]);
  });

  it('keeps the keys placed by hand first, in their order, then the others alphabetically', () => {
    expect(orderKeys(['a', 'b', 'c', 'd'], ['c', 'zz', 'a'])).toEqual(['c', 'a', 'b', 'd']);
    expect(groupSections(['val/b', 'val/a', 'val/c'], ['val/c']).map((s) => s.keys)).toEqual([['val/c', 'val/a', 'val/b']]);
  });

  it('moves a key within its section and writes the whole section down', () => {
    const shown = ['val/acc', 'val/f1', 'val/loss'];
    expect(moveKey([], shown, 'val/loss', 0)).toEqual(['val/loss', 'val/acc', 'val/f1']);
    expect(moveKey([], shown, 'val/acc', 1)).toEqual(['val/f1', 'val/acc', 'val/loss']);
    // other sections' entries stay; this section's are replaced
    expect(moveKey(['train/b', 'val/f1', 'train/a'], shown, 'val/acc', 2)).toEqual(['train/b', 'train/a', 'val/f1', 'val/loss', 'val/acc']);
    // out of range is clamped; an unknown key changes nothing
    expect(moveKey([], shown, 'val/acc', 99)).toEqual(['val/f1', 'val/loss', 'val/acc']);
    expect(moveKey(['x'], shown, 'nope', 0)).toEqual(['x']);
  });

  it('opens sections but system by default, and keeps only choices unlike the default', () => {
    expect(isSectionOpen({}, 'train')).toBe(true);
    expect(isSectionOpen({}, 'system')).toBe(false);
    let s = setSectionOpen({}, 'train', false);
    expect(s).toEqual({ train: false });
    s = setSectionOpen(s, 'system', true);
    expect(s).toEqual({ train: false, system: true });
    s = setSectionOpen(s, 'train', true);
    expect(s).toEqual({ system: true });
    expect(setSectionOpen(s, 'system', false)).toEqual({});
  });
});
