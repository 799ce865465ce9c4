// A logged table's view in its panel: the step shown, sort by a column (a header click goes
// ascending, descending, then unsorted), a text filter and the page; and the Query API's
// parameters for it (`/media/table?key=&step=&offset=&limit=&sort=&desc=&search=`). Sorting and
// filtering are the server's. Pure, so it is unit-tested.

export const TABLE_PAGE = 20;
/** the server's limit of rows per page */
export const MAX_TABLE_PAGE = 1000;

export interface TableSort {
  column: string;
  desc: boolean;
}

export interface TableView {
  step: number;
  sort: TableSort | null;
  search: string;
  offset: number;
  limit: number;
}

export interface MediaTableQuery {
  key: string;
  step: number;
  offset: number;
  limit: number;
  sort?: string;
  desc?: boolean;
  search?: string;
}

/** The sort after a click on `column`'s header. */
export function nextSort(current: TableSort | null, column: string): TableSort | null {
  if (!current || current.column !== column) return { column, desc: false };
  return current.desc ? null : { column, desc: true };
}

/** The view sorted by a click on `column` (from the first page). */
export function withSort(view: TableView, column: string): TableView {
  return { ...view, sort: nextSort(view.sort, column), offset: 0 };
}

/** The view filtered by `search` (from the first page; unchanged when the text is). */
export function withSearch(view: TableView, search: string): TableView {
  return search === view.search ? view : { ...view, search, offset: 0 };
}

/** The view on another page: `delta` pages on, kept within the rows. */
export function withPage(view: TableView, delta: number, totalRows: number): TableView {
  const lastOffset = Math.max(0, Math.floor((Math.max(0, totalRows) - 1) / view.limit) * view.limit);
  const offset = Math.min(lastOffset, Math.max(0, view.offset + delta * view.limit));
  return offset === view.offset ? view : { ...view, offset };
}

/** The query parameters of the view (a blank filter and no sort left out). */
export function tableQuery(key: string, view: TableView): MediaTableQuery {
  const q: MediaTableQuery = {
    key, step: view.step, offset: Math.max(0, Math.floor(view.offset)), limit: Math.min(MAX_TABLE_PAGE, Math.max(1, Math.floor(view.limit))),
  };
  if (view.sort) {
    q.sort = view.sort.column;
    q.desc = view.sort.desc;
  }
  const search = view.search.trim();
  if (search) q.search = search;
  return q;
}

/** "21–40 of 57", or "no rows". */
export function pageLabel(offset: number, shown: number, totalRows: number): string {
  if (!totalRows || !shown) return totalRows ? `none of ${totalRows.toLocaleString('en-US')}` : 'no rows';
  return `${(offset + 1).toLocaleString('en-US')}–${(offset + shown).toLocaleString('en-US')} of ${totalRows.toLocaleString('en-US')}`;
}

/** The arrow of a header: ▲ sorted ascending by it, ▼ descending, none otherwise. */
export function sortMark(sort: TableSort | null, column: string): string {
  if (!sort || sort.column !== column) return '';
  return sort.desc ? '▼' : '▲';
}
