// The API key: taken once from the URL fragment (`#/projects/x?key=rs_...`, as `./platform demo`
// prints it), kept in localStorage, and removed from the visible URL.

const STORAGE = 'runstream.apiKey';

export function getKey(): string | null {
  try {
    return localStorage.getItem(STORAGE);
  } catch {
    return null;
  }
}

export function setKey(key: string): void {
  localStorage.setItem(STORAGE, key.trim());
}

export function clearKey(): void {
  localStorage.removeItem(STORAGE);
}

/** Moves `key` from the URL (fragment query, or the page's own query) into storage. */
export function takeKeyFromUrl(): boolean {
  const hash = location.hash;
  const q = hash.indexOf('?');
  let key: string | null = null;
  let newHash = hash;
  if (q >= 0) {
    const params = new URLSearchParams(hash.slice(q + 1));
    key = params.get('key');
    if (key !== null) {
      params.delete('key');
      const rest = params.toString();
      newHash = hash.slice(0, q) + (rest ? `?${rest}` : '');
    }
  }
  const search = new URLSearchParams(location.search);
  let newSearch = location.search;
  if (!key && search.has('key')) {
    key = search.get('key');
    search.delete('key');
    newSearch = search.toString() ? `?${search}` : '';
  }
  if (!key) return false;
  setKey(key);
  history.replaceState(history.state, '', `${location.pathname}${newSearch}${newHash}`);
  return true;
}
