// The shell every page shares: the top bar (breadcrumbs, live status, key) and the page slot.

import { h, mount } from './dom';
import { onLiveStatus, type LiveStatus } from './live';
import type { Location } from './router';
import { THEME_SETTINGS, onThemeChange, setTheme, themeSetting, type ThemeSetting } from './theme';

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

const THEME_ICONS: Record<ThemeSetting, string> = {
  light: 'M8 5.2a2.8 2.8 0 1 0 0 5.6 2.8 2.8 0 0 0 0-5.6z M8 1.5v1.5 M8 13v1.5 M1.5 8H3 M13 8h1.5 M3.4 3.4l1 1 M11.6 11.6l1 1 M3.4 12.6l1-1 M11.6 4.4l1-1',
  dark: 'M13.5 9.5A5.5 5.5 0 0 1 6.5 2.5a5.5 5.5 0 1 0 7 7z',
  system: 'M2 3h12v8H2z M6 14h4 M8 11v3',
};
const THEME_LABELS: Record<ThemeSetting, string> = { light: 'Light theme', dark: 'Dark theme', system: 'Theme of the system' };

/** Light / dark / system, for the top bar. */
function themeToggle(): HTMLElement {
  const ns = 'http://www.w3.org/2000/svg';
  const buttons = THEME_SETTINGS.map((setting) => {
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 16 16');
    svg.setAttribute('class', 'icon');
    svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', THEME_ICONS[setting]);
    svg.appendChild(path);
    return h('button', {
      type: 'button', class: 'theme-choice', 'data-theme-choice': setting, title: THEME_LABELS[setting], 'aria-label': THEME_LABELS[setting],
      onclick: () => setTheme(setting),
    }, svg);
  });
  const show = (setting: ThemeSetting) => {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.themeChoice === setting));
  };
  show(themeSetting());
  onThemeChange((_, setting) => show(setting));
  return h('div', { class: 'theme-toggle', role: 'group', 'aria-label': 'Theme' }, buttons);
}

export function shell(onSignOut: () => void): { root: HTMLElement; slot: HTMLElement } {
  const slot = h('main', { class: 'page-slot' });
  const root = h('div', { class: 'app' },
    h('header', { class: 'topbar' },
      h('a', { class: 'brand', href: '#/' },
        h('span', { class: 'logo', 'aria-hidden': 'true' }), 'Runstream'),
      crumbsEl,
      h('div', { class: 'spacer' }),
      liveEl,
      themeToggle(),
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

export interface ToastAction {
  label: string;
  run(): void;
}

/** A short message in the corner; with an action (an "Undo") it stays longer and closes once clicked. */
export function toast(message: string, kind: 'info' | 'error' = 'info', action?: ToastAction): void {
  if (!toasts || !toasts.isConnected) {
    toasts = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.appendChild(toasts);
  }
  const t = h('div', { class: `toast toast-${kind}` }, h('span', null, message));
  if (action) {
    t.append(h('button', {
      type: 'button', class: 'toast-action',
      onclick: () => {
        t.remove();
        action.run();
      },
    }, action.label));
  }
  toasts.appendChild(t);
  setTimeout(() => t.remove(), action ? 10000 : kind === 'error' ? 8000 : 3000);
}
