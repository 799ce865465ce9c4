// Rich media as the Query API answers it (docs/media.md): images, tables and histograms logged at
// steps. Types only, shared by api.ts, the pure helpers beside this file and the panels.

export type MediaKind = 'images' | 'table' | 'histogram';

/** A media key of a run: `GET .../runs/{id}/media`. */
export interface MediaKey {
  key: string;
  kind: MediaKind;
  /** how many steps logged a value */
  steps: number;
  firstStep: number;
  lastStep: number;
}

export interface MediaImage {
  digest: string;
  size: number;
  width: number;
  height: number;
  format: string;
  caption?: string | null;
  /** where the file is served (`/api/v1/.../media/files/{digest}`): needs the API key */
  url: string;
}

export interface MediaTableRef {
  digest: string;
  size: number;
  columns: string[];
  rowCount: number;
}

/** Counts in bins: `edges` ascending, one more than `counts`. */
export interface MediaHistogram {
  edges: number[];
  counts: number[];
}

export interface MediaStep {
  step: number;
  timeUnixMs: number;
  images?: MediaImage[];
  table?: MediaTableRef;
  histogram?: MediaHistogram;
}

/** A key's values at (sampled) steps: `GET .../media?key=&steps=` or `&step=`. */
export interface MediaValues {
  key: string;
  kind: MediaKind;
  totalSteps: number;
  steps: MediaStep[];
}

/** An image in a table cell. */
export interface TableImageCell {
  _type: 'image';
  digest: string;
  width: number;
  height: number;
  format: string;
  caption?: string | null;
  url: string;
}

export type TableCell = string | number | boolean | null | TableImageCell;

/** A page of a table's rows: `GET .../media/table?key=&step=&offset=&limit=&sort=&desc=&search=`. */
export interface MediaTablePage {
  key: string;
  step: number;
  columns: string[];
  totalRows: number;
  offset: number;
  rows: TableCell[][];
}

export function isImageCell(cell: unknown): cell is TableImageCell {
  return typeof cell === 'object' && cell !== null && (cell as { _type?: unknown })._type === 'image';
}
