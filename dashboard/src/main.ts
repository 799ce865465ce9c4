import './styles.css';
import { api, onUnauthorized, ApiError } from './api';
import { clearKey, getKey, setKey, takeKeyFromUrl } from './auth';
import { h, mount } from './dom';
import { parseHash, type Location } from './router';
import { shell, setCrumbs, type Page } from './app';
import { echarts } from './charts';
import { projectsPage } from './pages/projects';
import { WorkspacePage } from './pages/workspace/workspacePage';
import { runPage } from './pages/run';
import { artifactPage, artifactsPage } from './pages/artifacts';
import { initTheme } from './theme';

initTheme();

// For browser tests (and the curious): the chart of an element is
// window.runstream.echarts.getInstanceByDom(el).
(window as unknown as Record<string, unknown>).runstream = { echarts };

const root = document.getElementById('app')!;
let current: { page: Page; path: string } | null = null;

const { root: appRoot, slot } = shell(() => {
  clearKey();
  showKeyForm();
});

function dispose() {
  current?.page.dispose();
  current = null;
}

function route() {
  takeKeyFromUrl();
  if (!getKey()) {
    showKeyForm();
    return;
  }
  if (!appRoot.isConnected) mount(root, appRoot);
  const loc: Location = parseHash(location.hash);
  if (current && current.path === loc.path && current.page.update?.(loc)) return;
  dispose();
  const page = create(loc);
  current = { page, path: loc.path };
  mount(slot, page.el);
  window.scrollTo(0, 0);
}

function create(loc: Location): Page {
  const r = loc.route;
  switch (r.page) {
    case 'projects':
      return projectsPage();
    case 'workspace':
      return new WorkspacePage(r.project, loc.params);
    case 'run':
      return runPage(r.project, r.runId);
    case 'artifacts':
      return artifactsPage(r.project);
    case 'artifact':
      return artifactPage(r.project, r.name, r.version);
    default:
      setCrumbs([['Projects', '#/'], ['Not found']]);
      return { el: h('div', { class: 'page empty-page' }, h('h2', null, 'Nothing here'), h('p', null, h('a', { href: '#/' }, 'All projects'))), dispose() {} };
  }
}

function showKeyForm(message?: string) {
  dispose();
  const input = h('input', {
    type: 'password', name: 'key', placeholder: 'rs_…', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-label': 'API key',
  });
  const error = h('div', { class: 'form-error', role: 'alert' }, message ?? '');
  const button = h('button', { class: 'btn btn-primary', type: 'submit' }, 'Continue');
  const form = h('form', {
    class: 'key-form',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const key = input.value.trim();
      if (!key) return;
      setKey(key);
      button.disabled = true;
      error.textContent = '';
      try {
        await api.projects();
        route();
      } catch (err) {
        clearKey();
        error.textContent = err instanceof ApiError && err.status === 401 ? 'That key was refused.' : `Could not check the key: ${(err as Error).message}`;
      } finally {
        button.disabled = false;
      }
    },
  },
  h('div', { class: 'key-brand' }, h('span', { class: 'logo' }), 'Runstream'),
  h('h1', null, 'Paste your API key'),
  h('p', { class: 'muted' }, 'The dashboard reads your projects with an API key of your entity. ',
    h('code', null, './platform up'), ' prints one (also in ', h('code', null, '.platform/api.key'), '); ',
    h('code', null, 'runstream keys create'), ' makes more. It stays in this browser.'),
  input, error, button);
  mount(root, h('div', { class: 'key-page' }, form));
  input.focus();
}

onUnauthorized(() => {
  clearKey();
  showKeyForm('The API key was refused: paste a valid one.');
});

window.addEventListener('hashchange', route);
route();
