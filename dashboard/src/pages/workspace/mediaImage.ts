// An image of a media panel or a table cell: drawn at the size lib/mediaSteps fits it to (small
// images scaled up by a whole factor, pixelated), its file fetched with the key (mediaFiles);
// a click opens it large over the page until Esc or a click.

import { mediaFileUrl } from '../../api';
import { h } from '../../dom';
import { fitImage } from '../../lib/mediaSteps';
import type { UrlLease } from '../../lib/objectUrls';
import { newLease } from '../../mediaFiles';

export interface ImageSource {
  project: string;
  runId: string;
  digest: string;
  width: number;
  height: number;
  caption?: string | null;
  url?: string | null;
}

/**
 * An <img> of the file, `box` the room it has; its file held by `lease`. With a `title` a click
 * opens it large, under that title.
 */
export function mediaImg(src: ImageSource, lease: UrlLease, box: [number, number], title: string | null, cls = 'media-img'): HTMLImageElement {
  const fit = fitImage(src.width, src.height, box[0], box[1]);
  const img = h('img', {
    class: `${cls}${fit.pixelated ? ' pixelated' : ''}${title ? ' zoomable' : ''}`, alt: src.caption ?? '',
    title: src.caption ? `${src.caption} (${src.width} × ${src.height})` : `${src.width} × ${src.height}`,
    width: fit.width || undefined, height: fit.height || undefined, decoding: 'async', 'data-digest': src.digest,
    onclick: title ? () => openLarge(src, title) : undefined,
  });
  lease.acquire(src.digest, mediaFileUrl(src.project, src.runId, src.digest, src.url)).then(
    (u) => { img.src = u; },
    () => img.classList.add('is-broken'));
  return img;
}

let openBox: { el: HTMLElement; close: () => void } | null = null;

/** The image over the page, as large as the window allows (small ones scaled up, pixelated). */
export function openLarge(src: ImageSource, title: string): void {
  openBox?.close();
  const lease = newLease();
  const room: [number, number] = [Math.max(64, window.innerWidth * 0.9), Math.max(64, window.innerHeight * 0.8)];
  const img = mediaImg(src, lease, room, null, 'media-large-img');
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') close();
  };
  const el = h('div', { class: 'media-lightbox', role: 'dialog', 'aria-label': `${title}: image`, onclick: () => close() },
    h('figure', { class: 'media-large' },
      img,
      h('figcaption', null,
        h('span', { class: 'media-large-title' }, title),
        src.caption ? h('span', { class: 'media-caption' }, src.caption) : null,
        h('span', { class: 'muted' }, `${src.width} × ${src.height}`))),
    h('button', { class: 'btn btn-sm media-large-close', 'aria-label': 'Close', onclick: () => close() }, 'Close'));
  const close = () => {
    el.remove();
    lease.releaseAll();
    document.removeEventListener('keydown', onKey, true);
    if (openBox?.el === el) openBox = null;
  };
  document.addEventListener('keydown', onKey, true);
  document.body.appendChild(el);
  openBox = { el, close };
}

/** Closes the large image, if one is open (its page goes). */
export function closeLarge(): void {
  openBox?.close();
}
