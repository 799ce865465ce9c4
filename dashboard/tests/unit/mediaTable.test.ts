import { describe, expect, it } from 'vitest';
import { nextSort, pageLabel, sortMark, tableQuery, withPage, withSearch, withSort, type TableView } from '../../src/lib/mediaTable';

const view: TableView = { step: 3, sort: null, search: '', offset: 40, limit: 20 };

describe('media table view', () => {
  it('sorts by a header: ascending, then descending, then unsorted; another column starts ascending', () => {
    const a = nextSort(null, 'label');
    expect(a).toEqual({ column: 'label', desc: false });
    const b = nextSort(a, 'label');
    expect(b).toEqual({ column: 'label', desc: true });
    expect(nextSort(b, 'label')).toBeNull();
    expect(nextSort(b, 'score')).toEqual({ column: 'score', desc: false });
    expect(sortMark(a, 'label')).toBe('▲');
    expect(sortMark(b, 'label')).toBe('▼');
    expect(sortMark(b, 'score')).toBe('');
  });

  it('goes back to the first page when the sort or the filter changes, not when the filter text is the same', () => {
    expect(withSort(view, 'label')).toEqual({ ...view, sort: { column: 'label', desc: false }, offset: 0 });
    expect(withSearch(view, 'cat')).toEqual({ ...view, search: 'cat', offset: 0 });
    expect(withSearch(view, '')).toBe(view);
  });

  it('pages within the rows', () => {
    expect(withPage(view, 1, 100).offset).toBe(60);
    expect(withPage(view, -1, 100).offset).toBe(20);
    expect(withPage({ ...view, offset: 0 }, -1, 100).offset).toBe(0);
    expect(withPage({ ...view, offset: 80 }, 1, 100).offset).toBe(80); // the last page
    expect(withPage({ ...view, offset: 0 }, 1, 20).offset).toBe(0); // one page only
    expect(withPage({ ...view, offset: 0 }, 1, 0).offset).toBe(0);
  });

  it('asks the server with the view\'s parameters, leaving out no sort and a blank filter', () => {
    expect(tableQuery('preds', view)).toEqual({ key: 'preds', step: 3, offset: 40, limit: 20 });
    expect(tableQuery('preds', { ...view, sort: { column: 'label', desc: true }, search: '  cat ' }))
      .toEqual({ key: 'preds', step: 3, offset: 40, limit: 20, sort: 'label', desc: true, search: 'cat' });
    expect(tableQuery('preds', { ...view, sort: { column: 'label', desc: false } }).desc).toBe(false);
    expect(tableQuery('t', { ...view, limit: 5000, offset: -3 })).toMatchObject({ limit: 1000, offset: 0 });
  });

  it('says which rows are shown', () => {
    expect(pageLabel(20, 20, 57)).toBe('21–40 of 57');
    expect(pageLabel(0, 0, 0)).toBe('no rows');
    expect(pageLabel(0, 0, 12)).toBe('none of 12');
    expect(pageLabel(0, 3, 1200)).toBe('1–3 of 1,200');
  });
});
