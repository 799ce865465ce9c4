// Light or dark. The setting (light / dark / system) is kept in localStorage and written on <html>
// as data-theme (none for system); the theme in effect, the setting resolved with the system's
// preference, is data-scheme, under which styles.css holds the dark palette (once). Charts follow
// through onThemeChange (charts.ts). index.html sets both before the first paint.

export type ThemeSetting = 'light' | 'dark' | 'system';
export type Theme = 'light' | 'dark';

export const THEME_KEY = 'runstream.theme';
export const THEME_SETTINGS: readonly ThemeSetting[] = ['light', 'dark', 'system'];

/** A stored setting: anything but light or dark is system. */
export function parseSetting(stored: string | null | undefined): ThemeSetting {
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

/** The theme a setting gives, with the system's preference. */
export function resolveTheme(setting: ThemeSetting, systemDark: boolean): Theme {
  return setting === 'system' ? (systemDark ? 'dark' : 'light') : setting;
}

/** The data-theme attribute for a setting (null: none, the media query decides). */
export function themeAttribute(setting: ThemeSetting): Theme | null {
  return setting === 'system' ? null : setting;
}

// ------------------------------------------------------------ in the page

type Listener = (theme: Theme, setting: ThemeSetting) => void;
const listeners = new Set<Listener>();
let last: { theme: Theme; setting: ThemeSetting } | null = null;
let watching = false;

function darkQuery(): MediaQueryList | null {
  return typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
}

/** The stored setting (system when none or when storage is unavailable). */
export function themeSetting(): ThemeSetting {
  try {
    return parseSetting(localStorage.getItem(THEME_KEY));
  } catch {
    return 'system';
  }
}

/** The theme in effect. */
export function currentTheme(): Theme {
  return resolveTheme(themeSetting(), darkQuery()?.matches ?? false);
}

function apply(setting: ThemeSetting): void {
  const attr = themeAttribute(setting);
  if (attr) document.documentElement.dataset.theme = attr;
  else delete document.documentElement.dataset.theme;
  const now = { theme: resolveTheme(setting, darkQuery()?.matches ?? false), setting };
  document.documentElement.dataset.scheme = now.theme;
  const changed = !last || last.theme !== now.theme || last.setting !== now.setting;
  last = now;
  if (changed) for (const fn of [...listeners]) fn(now.theme, now.setting);
}

/** Chooses light, dark or system, remembered in this browser. */
export function setTheme(setting: ThemeSetting): void {
  try {
    if (setting === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, setting);
  } catch { /* storage unavailable: for this page only */ }
  apply(setting);
}

/** Calls back when the theme in effect or the setting changes; returns the unsubscribe. */
export function onThemeChange(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Applies the stored setting and follows the system's preference (once, at startup). */
export function initTheme(): void {
  apply(themeSetting());
  if (watching) return;
  watching = true;
  darkQuery()?.addEventListener('change', () => apply(themeSetting()));
  // another tab changed the setting
  window.addEventListener('storage', (e) => {
    if (e.key === THEME_KEY || e.key === null) apply(themeSetting());
  });
}
