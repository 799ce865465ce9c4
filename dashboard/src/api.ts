// The Query API (docs/api.md), with the API key on every call. A 401 sends the app back to the
// key form; any other refusal is an ApiError with the server's problem document.

import { getKey } from './auth';
import type { Filter } from './lib/filters';
import type { MediaTableQuery } from './lib/mediaTable';
import type { MediaKey, MediaTablePage, MediaValues } from './lib/mediaTypes';
import type { SampledHistory } from './lib/series';
import type { Project, Run, Lineage, RunEnvironment, LogsPage, RunPage, ArtifactVersion, ArtifactCollection, MultiHistory, GroupedHistory, ParallelData, Importance, SavedView, AuditEntry } from './apiTypes';

export type * from './apiTypes';

export const API_BASE = '/api/v1';

export class ApiError extends Error {
  constructor(readonly status: number, readonly title: string, readonly detail: string | null, readonly path: string) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

let unauthorized: () => void = () => {};
export function onUnauthorized(handler: () => void): void {
  unauthorized = handler;
}

// Browsers open at most six connections to a host over HTTP/1.1, and the live event stream keeps
// one: the rest of the calls wait in line here rather than in the browser, cancellable.
const MAX_IN_FLIGHT = 4;
let inFlight = 0;
const waiting: (() => void)[] = [];
async function slot(): Promise<() => void> {
  if (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => waiting.push(resolve));
  inFlight++;
  return () => {
    inFlight--;
    waiting.shift()?.();
  };
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function url(path: string, query?: Query): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return `${API_BASE}${path}${s ? `?${s}` : ''}`;
}

export const enc = encodeURIComponent;

async function call<T>(method: string, path: string, query?: Query, body?: unknown, signal?: AbortSignal): Promise<T> {
  const release = await slot();
  try {
    const res = await fetch(url(path, query), {
      method,
      signal,
      headers: {
        Accept: 'application/json',
        ...authHeaders(),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const type = res.headers.get('content-type') ?? '';
    const isJson = type.includes('json');
    if (res.status === 401) {
      unauthorized();
      throw new ApiError(401, 'Unauthorized', 'The API key was refused.', path);
    }
    if (!res.ok) {
      const problem = isJson ? await res.json().catch(() => null) : null;
      throw new ApiError(res.status, problem?.title ?? res.statusText ?? 'Error', problem?.detail ?? null, path);
    }
    if (res.status === 204 || (res.status === 202 && !isJson)) return undefined as T;
    if (!isJson) throw new ApiError(res.status, 'Not JSON', `${method} ${path} answered ${type || 'no content type'}`, path);
    return (await res.json()) as T;
  } finally {
    release();
  }
}

export const api = {
  projects: () => call<Project[]>('GET', '/projects'),
  project: (p: string) => call<Project>('GET', `/projects/${enc(p)}`),

  /** One page of runs, filtered, sorted and paged by the server. */
  async runs(p: string, o: { filters?: Filter | null; order?: string; limit?: number; cursor?: string | null; columns?: string[] | null }, signal?: AbortSignal): Promise<RunPage> {
    const res = await call<RunPage>('GET', `/projects/${enc(p)}/runs`, {
      filters: o.filters ? JSON.stringify(o.filters) : undefined,
      order: o.order,
      limit: o.limit ?? 100,
      cursor: o.cursor ?? undefined,
      columns: o.columns?.length ? o.columns.join(',') : undefined,
    }, undefined, signal);
    return { runs: res.runs ?? [], total: res.total ?? res.runs?.length ?? 0, nextCursor: res.nextCursor ?? null };
  },

  /** The display names of runs of a project, by id (at most 1,000). */
  async runNames(p: string, ids: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(ids)].slice(0, 1000);
    if (!unique.length) return new Map();
    const page = await api.runs(p, { filters: { runId: { $in: unique } }, limit: unique.length });
    return new Map(page.runs.map((r) => [r.runId, runName(r)]));
  },

  /** Every run matching (up to `max`), a page of 1,000 at a time. */
  async allRuns(p: string, o: { filters?: Filter | null; order?: string; columns?: string[] | null }, max = 10000, signal?: AbortSignal): Promise<RunPage> {
    let cursor: string | null = null;
    const runs: Run[] = [];
    let total = 0;
    do {
      const page: RunPage = await api.runs(p, { ...o, limit: 1000, cursor }, signal);
      runs.push(...page.runs);
      total = page.total;
      cursor = page.nextCursor;
    } while (cursor && runs.length < max);
    return { runs, total, nextCursor: cursor };
  },

  run: (p: string, id: string) => call<Run>('GET', `/projects/${enc(p)}/runs/${enc(id)}`),
  patchRun: (p: string, id: string, edit: { tags?: string[]; notes?: string; name?: string }) => call<unknown>('PATCH', `/projects/${enc(p)}/runs/${enc(id)}`, undefined, edit),

  /** The run's console lines from line `from`, or its last `tail` lines. */
  logs: (p: string, id: string, o: { from?: number; tail?: number; limit?: number }, signal?: AbortSignal) =>
    call<LogsPage>('GET', `/projects/${enc(p)}/runs/${enc(id)}/logs`, { from: o.from, tail: o.tail, limit: o.limit }, undefined, signal),

  /** The run's code state and environment; null when its SDK recorded none. */
  async environment(p: string, id: string): Promise<RunEnvironment | null> {
    try {
      return await call<RunEnvironment>('GET', `/projects/${enc(p)}/runs/${enc(id)}/environment`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  },

  /** One run's sampled history (every key when `keys` is null). */
  async history(p: string, id: string, o: { keys?: string[] | null; samples: number; x: string }, signal?: AbortSignal): Promise<SampledHistory> {
    const keys = o.keys ? withX(o.keys, o.x) : null;
    return call<SampledHistory>('GET', `/projects/${enc(p)}/runs/${enc(id)}/history`, {
      keys: keys?.join(','), samples: o.samples, x: o.x,
    }, undefined, signal);
  },

  /** Sampled series of several runs (up to 100) in one call. */
  async multiHistory(p: string, runIds: string[], keys: string[], samples: number, x: string, signal?: AbortSignal): Promise<MultiHistory> {
    if (!runIds.length) return { x, runs: {} };
    return call<MultiHistory>('GET', `/projects/${enc(p)}/history`, {
      runs: runIds.join(','), keys: keys.join(','), samples, x,
    }, undefined, signal);
  },

  grouped: (p: string, o: { key: string; groupBy: string; samples: number; x: string; filters: Filter | null }, signal?: AbortSignal) =>
    call<GroupedHistory>('GET', `/projects/${enc(p)}/history/grouped`, {
      key: o.key, groupBy: o.groupBy, samples: o.samples, x: o.x, filters: o.filters ? JSON.stringify(o.filters) : undefined,
    }, undefined, signal),

  parallel: (p: string, params: string[], metric: string, filters: Filter | null, signal?: AbortSignal) =>
    call<ParallelData>('GET', `/projects/${enc(p)}/parallel`, {
      params: params.join(','), metric, filters: filters ? JSON.stringify(filters) : undefined,
    }, undefined, signal),

  importance: (p: string, metric: string, params: string[] | null, filters: Filter | null, signal?: AbortSignal) =>
    call<Importance>('GET', `/projects/${enc(p)}/importance`, {
      metric, params: params?.join(','), filters: filters ? JSON.stringify(filters) : undefined,
    }, undefined, signal),

  deleteRun: (p: string, id: string) => call<Run>('DELETE', `/projects/${enc(p)}/runs/${enc(id)}`),
  restoreRun: (p: string, id: string) => call<Run>('POST', `/projects/${enc(p)}/runs/${enc(id)}/restore`),
  moveRun: (p: string, id: string, to: string) => call<Run>('POST', `/projects/${enc(p)}/runs/${enc(id)}/move`, undefined, { project: to }),

  views: (p: string) => call<SavedView[]>('GET', `/projects/${enc(p)}/views`),
  view: (p: string, id: string) => call<SavedView>('GET', `/projects/${enc(p)}/views/${enc(id)}`),
  saveView: (p: string, name: string, state: string, id?: string) => id
    ? call<SavedView>('PUT', `/projects/${enc(p)}/views/${enc(id)}`, undefined, { name, state })
    : call<SavedView>('POST', `/projects/${enc(p)}/views`, undefined, { name, state }),
  deleteView: (p: string, id: string) => call<void>('DELETE', `/projects/${enc(p)}/views/${enc(id)}`),

  artifacts: (p: string) => call<ArtifactCollection[]>('GET', `/projects/${enc(p)}/artifacts`),
  artifact: (p: string, name: string) => call<ArtifactCollection>('GET', `/projects/${enc(p)}/artifacts/${enc(name)}`),
  artifactVersion: (p: string, name: string, version: string) =>
    call<ArtifactVersion>('GET', `/projects/${enc(p)}/artifacts/${enc(name)}/${enc(version)}`),

  /** The runs the run was forked from and the runs forked from it; none from a server without lineage routes. */
  async lineage(p: string, id: string): Promise<Lineage> {
    try {
      const res = await call<Partial<Lineage>>('GET', `/projects/${enc(p)}/runs/${enc(id)}/lineage`);
      return { ancestors: res.ancestors ?? [], forks: res.forks ?? [] };
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return { ancestors: [], forks: [] };
      throw e;
    }
  },

  /** The run's audit trail: its events but the data, oldest first. */
  audit: async (p: string, id: string) =>
    (await call<{ entries: AuditEntry[] }>('GET', `/projects/${enc(p)}/runs/${enc(id)}/audit`)).entries,

  /** The run's media keys (docs/media.md); none from a server without media routes. */
  async mediaKeys(p: string, id: string, signal?: AbortSignal): Promise<MediaKey[]> {
    try {
      return (await call<{ keys?: MediaKey[] }>('GET', `/projects/${enc(p)}/runs/${enc(id)}/media`, undefined, undefined, signal)).keys ?? [];
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return [];
      throw e;
    }
  },

  /** A media key's values: at most `steps` steps sampled evenly (the first and last among them), or the one `step`. */
  media: (p: string, id: string, key: string, o: { steps?: number; step?: number }, signal?: AbortSignal) =>
    call<MediaValues>('GET', `/projects/${enc(p)}/runs/${enc(id)}/media`, { key, steps: o.steps, step: o.step }, undefined, signal),

  /** A page of a logged table's rows, sorted and filtered by the server. */
  mediaTable: (p: string, id: string, q: MediaTableQuery, signal?: AbortSignal) =>
    call<MediaTablePage>('GET', `/projects/${enc(p)}/runs/${enc(id)}/media/table`, { ...q }, undefined, signal),
};

function withX(keys: readonly string[], x: string): string[] {
  return x.startsWith('_') || keys.includes(x) ? [...keys] : [...keys, x];
}

export function fileUrl(p: string, name: string, version: string, path: string): string {
  return url(`/projects/${enc(p)}/artifacts/${enc(name)}/${enc(version)}/files/${path.split('/').map(enc).join('/')}`);
}

/** Downloads an artifact file: a plain link cannot carry the key, so fetch it and hand the browser a blob. */
export async function downloadFile(p: string, name: string, version: string, path: string): Promise<void> {
  const res = await fetch(fileUrl(p, name, version, path), { headers: authHeaders() });
  if (res.status === 401) {
    unauthorized();
    return;
  }
  if (!res.ok) throw new ApiError(res.status, res.statusText, null, path);
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = path.split('/').pop() ?? 'file';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

/** A media file's address: the `url` the API gave (it names the route under /api/v1), else by digest. */
export function mediaFileUrl(p: string, runId: string, digest: string, given?: string | null): string {
  if (given && (given.startsWith(`${API_BASE}/`) || /^https?:\/\//.test(given))) return given;
  if (given?.startsWith('/')) return `${API_BASE}${given}`;
  return url(`/projects/${enc(p)}/runs/${enc(runId)}/media/files/${enc(digest)}`);
}

/**
 * A media file's bytes. An <img src> cannot send the key, so the panels fetch files here (in line
 * with the other calls) and show them through object URLs (mediaFiles.ts).
 */
export async function fetchMediaFile(fileUrl: string, signal?: AbortSignal): Promise<Blob> {
  const release = await slot();
  try {
    const res = await fetch(fileUrl, { headers: authHeaders(), signal });
    if (res.status === 401) {
      unauthorized();
      throw new ApiError(401, 'Unauthorized', 'The API key was refused.', fileUrl);
    }
    if (!res.ok) throw new ApiError(res.status, res.statusText || 'Error', null, fileUrl);
    return await res.blob();
  } finally {
    release();
  }
}

/** The live event stream of a project or a run (read with fetch and {@link authHeaders}). */
export function eventsUrl(p: string, runId?: string): string {
  return url(runId ? `/projects/${enc(p)}/runs/${enc(runId)}/events` : `/projects/${enc(p)}/events`);
}

/** The run's console lines as server-sent events, from line `from` on. */
export function logEventsUrl(p: string, runId: string, from: number): string {
  return url(`/projects/${enc(p)}/runs/${enc(runId)}/logs/events`, { from });
}

/** The Authorization header for the stored key, if any. */
export function authHeaders(): Record<string, string> {
  const key = getKey();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

export function runName(r: { name?: string | null; runId: string }): string {
  return r.name || r.runId;
}

/** Whether `b` is an older state of the run than `a` (events can arrive after a fresher list). */
export function isOlder(b: Run, a: Run): boolean {
  if (typeof a.streamVersion === 'number' && typeof b.streamVersion === 'number') return b.streamVersion < a.streamVersion;
  if (a.updatedAt && b.updatedAt) return new Date(b.updatedAt).getTime() < new Date(a.updatedAt).getTime();
  return false;
}
