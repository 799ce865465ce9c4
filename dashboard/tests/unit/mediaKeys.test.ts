import { describe, expect, it } from 'vitest';
import { mapLimit } from '../../src/lib/limit';
import { keySignature, mediaSections, mergeMediaKeys } from '../../src/lib/mediaKeys';
import type { MediaKey, MediaKind } from '../../src/lib/mediaTypes';
import { ObjectUrlCache, UrlLease } from '../../src/lib/objectUrls';

const k = (key: string, kind: MediaKind = 'images', steps = 3): MediaKey => ({ key, kind, steps, firstStep: 0, lastStep: steps - 1 });

describe('media keys of several runs', () => {
  it('merges the runs\' keys: a panel per key, with the runs logging it in the runs\' order', () => {
    const perRun = new Map([
      ['b', [k('preds'), k('weights/fc1', 'histogram')]],
      ['a', [k('preds'), k('table', 'table')]],
    ]);
    expect(mergeMediaKeys(['a', 'b', 'c'], perRun)).toEqual([
      { key: 'preds', kind: 'images', runs: ['a', 'b'] },
      { key: 'table', kind: 'table', runs: ['a'] },
      { key: 'weights/fc1', kind: 'histogram', runs: ['b'] },
    ]);
    // a run not in the order is left out
    expect(mergeMediaKeys(['a'], perRun).map((m) => m.key)).toEqual(['preds', 'table']);
  });

  it('takes the kind most runs log a key as', () => {
    const perRun = new Map([['a', [k('x', 'table')]], ['b', [k('x', 'images')]], ['c', [k('x', 'images')]]]);
    expect(mergeMediaKeys(['a', 'b', 'c'], perRun)).toEqual([{ key: 'x', kind: 'images', runs: ['b', 'c'] }]);
    expect(mergeMediaKeys(['a', 'b'], perRun)).toEqual([{ key: 'x', kind: 'table', runs: ['a'] }]);
  });

  it('groups media panels by prefix in sections of their own', () => {
    expect(mediaSections(['val/preds', 'samples', 'weights/fc2', 'weights/fc1'])).toEqual([
      { id: 'media:charts', title: 'Media', keys: ['samples'] },
      { id: 'media:val', title: 'val', keys: ['val/preds'] },
      { id: 'media:weights', title: 'weights', keys: ['weights/fc1', 'weights/fc2'] },
    ]);
  });

  it('tells a key with new steps from one unchanged', () => {
    expect(keySignature(k('p', 'images', 3))).toBe(keySignature(k('p', 'images', 3)));
    expect(keySignature(k('p', 'images', 3))).not.toBe(keySignature(k('p', 'images', 4)));
  });
});

describe('bounded calls', () => {
  it('runs at most `limit` at once and keeps the order of results', async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (x) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, x));
      running--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
    expect(await mapLimit([], 4, async () => 1)).toEqual([]);
  });
});

describe('object URLs of media files', () => {
  function backend() {
    const log = { fetched: [] as string[], revoked: [] as string[] };
    let n = 0;
    return {
      log,
      b: {
        fetch: async (src: string) => {
          log.fetched.push(src);
          if (src.includes('bad')) throw new Error('404');
          return new Blob([src]);
        },
        create: () => `blob:${++n}`,
        revoke: (u: string) => void log.revoked.push(u),
      },
    };
  }

  it('fetches a file once however many hold it, and revokes it when the last lets go', async () => {
    const { log, b } = backend();
    const cache = new ObjectUrlCache(b, 0);
    const [u1, u2] = await Promise.all([cache.acquire('d1', '/f/d1'), cache.acquire('d1', '/f/d1')]);
    expect(u1).toBe(u2);
    expect(log.fetched).toEqual(['/f/d1']);
    cache.release('d1');
    expect(cache.holders('d1')).toBe(1);
    cache.release('d1');
    await Promise.resolve();
    await Promise.resolve();
    expect(log.revoked).toEqual([u1]);
    expect(cache.size).toBe(0);
    // asked again: fetched again
    await cache.acquire('d1', '/f/d1');
    expect(log.fetched).toHaveLength(2);
  });

  it('keeps a file through its grace when it is held again, and forgets a failed fetch', async () => {
    const { log, b } = backend();
    const cache = new ObjectUrlCache(b, 20);
    const lease = new UrlLease(cache);
    const url = await lease.acquire('d', '/f/d');
    lease.releaseAll();
    const again = new UrlLease(cache);
    expect(await again.acquire('d', '/f/d')).toBe(url);
    await new Promise((r) => setTimeout(r, 40));
    expect(log.revoked).toEqual([]);
    again.releaseAll();
    await new Promise((r) => setTimeout(r, 40));
    expect(log.revoked).toEqual([url]);

    await expect(cache.acquire('x', '/f/bad')).rejects.toThrow('404');
    await Promise.resolve();
    expect(cache.size).toBe(0);
  });
});
