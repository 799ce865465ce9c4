// The shell every page shares: the top bar (breadcrumbs, live status, key) and the page slot.

import { h, mount } from './dom';
import { onLiveStatus, type LiveStatus } from './live';
import type { Location } from './router';

export interface Page {
  el: HTMLElement;
  /** The same route with other view state (back/forward, an edited URL): true when handled in place. */
  update?(loc: Location): boolean;
  dispose(): void;
}

const crumbsEl = h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumbs' });
const liveEl = h('span', { class: 'live', title: 'Live updates' });

export type Crumb = [label: string, href?: string];

export function setCrumbs(crumbs: Crumb[]): void {
  mount(crumbsEl, crumbs.map(([label, href], i) => [
    i > 0 ? h('span', { class: 'sep' }, '/') : null,
    href ? h('a', { href }, label) : h('span', { class: 'here' }, label),
  ]));
  document.title = crumbs.length ? `${crumbs[crumbs.length - 1][0]} · Runstream` : 'Runstream';
}

const LIVE_TEXT: Record<LiveStatus, string> = { live: 'Live', connecting: 'Connecting', polling: 'Polling', off: '' };
onLiveStatus((s) => {
  liveEl.className = `live live-${s}`;
  liveEl.textContent = LIVE_TEXT[s];
  liveEl.title = s === 'polling' ? 'The live stream is unavailable: refreshing every few seconds' : s === 'live' ? 'Updates arrive as runs log' : '';
});

export function shell(onSignOut: () => void): { root: HTMLElement; slot: HTMLElement } {
  const slot = h('main', { class: 'page-slot' });
  const root = h('div', { class: 'app' },
    h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: '#/' },
        h('span', { class: 'logo', 'aria-hidden': 'true' }), 'Runstream'),
      crumbsEl,
      h('div', { class: 'spacer' }),
      liveEl,
      h('button', { class: 'btn btn-ghost btn-sm', title: 'Forget the API key in this browser', onclick: onSignOut }, 'Sign out')),
    slot);
  return { root, slot };
}

export function errorBox(e: unknown): HTMLElement {
  const msg = e instanceof Error ? e.message : String(e);
  return h('div', { class: 'error-box', role: 'alert' }, msg);
}

export function loadingBox(text = 'Loading…'): HTMLElement {
  return h('div', { class: 'loading-box' }, h('span', { class: 'spinner' }), text);
}

export function stateBadge(state: string): HTMLElement {
  return h('span', { class: `state state-${state}`, 'data-state': state }, state);
}

let toasts: HTMLElement | null = null;

/** A short message in the corner. */
export function toast(message: string, kind: 'info' | 'error' = 'info'): void {
  if (!toasts || !toasts.isConnected) {
    toasts = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.appendChild(toasts);
  }
  const t = h('div', { class: `toast toast-${kind}` }, message);
  toasts.appendChild(t);
  setTimeout(() => t.remove(), kind === 'error' ? 8000 : 3000);
}
