// Hash routes: #/, #/projects/{p}, #/projects/{p}/runs/{id}, #/projects/{p}/artifacts,
// #/projects/{p}/artifacts/{name}[/{version}]; a query string after the path holds view state.

export type Route =
  | { page: 'projects' }
  | { page: 'workspace'; project: string }
  | { page: 'run'; project: string; runId: string }
  | { page: 'artifacts'; project: string }
  | { page: 'artifact'; project: string; name: string; version: string | null }
  | { page: 'notFound'; path: string };

export interface Location {
  route: Route;
  params: URLSearchParams;
  path: string;
}

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = (q >= 0 ? raw.slice(0, q) : raw) || '/';
  const params = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  const parts = path.split('/').filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  let route: Route = { page: 'notFound', path };
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'projects')) route = { page: 'projects' };
  else if (parts[0] === 'projects' && parts.length >= 2) {
    const project = parts[1];
    if (parts.length === 2) route = { page: 'workspace', project };
    else if (parts[2] === 'runs' && parts.length === 4) route = { page: 'run', project, runId: parts[3] };
    else if (parts[2] === 'artifacts' && parts.length === 3) route = { page: 'artifacts', project };
    else if (parts[2] === 'artifacts' && parts.length >= 4) route = { page: 'artifact', project, name: parts[3], version: parts[4] ?? null };
  }
  return { route, params, path };
}

const e = encodeURIComponent;

export const href = {
  projects: () => '#/',
  workspace: (p: string, query?: string) => `#/projects/${e(p)}${query ? `?${query}` : ''}`,
  run: (p: string, id: string) => `#/projects/${e(p)}/runs/${e(id)}`,
  artifacts: (p: string) => `#/projects/${e(p)}/artifacts`,
  artifact: (p: string, name: string, version?: string | null) => `#/projects/${e(p)}/artifacts/${e(name)}${version ? `/${e(version)}` : ''}`,
};

/** Rewrites the query part of the current hash without a history entry or a hashchange. */
export function replaceQuery(query: string): void {
  const raw = location.hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const next = `#${path || '/'}${query ? `?${query}` : ''}`;
  if (next !== location.hash) history.replaceState(history.state, '', `${location.pathname}${location.search}${next}`);
}
