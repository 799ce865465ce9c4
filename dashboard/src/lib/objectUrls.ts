// Files shown by object URLs: an <img src> cannot send the API key, so a file is fetched with it
// and shown through URL.createObjectURL. One fetch per file however many images show it (by
// digest, counted); once nothing holds it, its URL is revoked after a short grace, so a panel
// redrawn or scrolled back soon does not fetch it again. Backend injected, so it is unit-tested.

export interface ObjectUrlBackend {
  fetch(source: string): Promise<Blob>;
  create(blob: Blob): string;
  revoke(url: string): void;
}

interface Entry {
  url: Promise<string>;
  refs: number;
  timer?: ReturnType<typeof setTimeout>;
}

export class ObjectUrlCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly backend: ObjectUrlBackend, private readonly graceMs = 15000) {}

  /** The object URL of the file `id` (fetched from `source` the first time); hold it until {@link release}. */
  acquire(id: string, source: string): Promise<string> {
    let e = this.entries.get(id);
    if (!e) {
      const entry: Entry = { refs: 0, url: Promise.resolve('') };
      entry.url = this.backend.fetch(source).then((blob) => this.backend.create(blob));
      // A failed fetch is forgotten, so that the next image asking tries again.
      entry.url.catch(() => {
        if (this.entries.get(id) === entry) this.entries.delete(id);
      });
      this.entries.set(id, (e = entry));
    }
    clearTimeout(e.timer);
    e.timer = undefined;
    e.refs++;
    return e.url;
  }

  /** One holder of `id` lets go; the last one starts the grace before the URL is revoked. */
  release(id: string): void {
    const e = this.entries.get(id);
    if (!e || e.refs <= 0) return;
    e.refs--;
    if (e.refs > 0) return;
    const drop = () => {
      if (this.entries.get(id) !== e || e.refs > 0) return;
      this.entries.delete(id);
      e.url.then((u) => this.backend.revoke(u), () => {});
    };
    if (this.graceMs <= 0) drop();
    else e.timer = setTimeout(drop, this.graceMs);
  }

  /** Files held or in their grace. */
  get size(): number {
    return this.entries.size;
  }

  /** How many hold `id` (0 when not cached). */
  holders(id: string): number {
    return this.entries.get(id)?.refs ?? 0;
  }
}

/** Holds files for one drawing of a panel: acquired as its images are made, released together when it is redrawn or goes. */
export class UrlLease {
  private readonly held: string[] = [];

  constructor(private readonly cache: ObjectUrlCache) {}

  acquire(id: string, source: string): Promise<string> {
    this.held.push(id);
    return this.cache.acquire(id, source);
  }

  releaseAll(): void {
    for (const id of this.held.splice(0)) this.cache.release(id);
  }
}
