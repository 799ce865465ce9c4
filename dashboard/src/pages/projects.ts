import { api, type Project } from '../api';
import { errorBox, loadingBox, setCrumbs, type Page } from '../app';
import { h, mount } from '../dom';
import { href } from '../router';
import { formatAgo, formatTime } from '../lib/values';

const STATES = ['running', 'finished', 'failed', 'crashed'];

export function projectsPage(): Page {
  setCrumbs([['Projects']]);
  const body = h('div', { class: 'card' }, loadingBox());
  let projects: Project[] | null = null;
  const search = h('input', {
    type: 'search', class: 'input', placeholder: 'Filter projects', 'aria-label': 'Filter projects',
    oninput: () => draw(),
  });
  const count = h('span', { class: 'muted' });
  const el = h('div', { class: 'page projects-page' },
    h('div', { class: 'page-head' }, h('h1', null, 'Projects'), count, h('span', { class: 'spacer' }), search),
    body);

  const draw = () => {
    if (!projects) return;
    const q = search.value.trim().toLowerCase();
    const shown = q ? projects.filter((p) => p.name.toLowerCase().includes(q)) : projects;
    count.textContent = `${projects.length}`;
    mount(body, projects.length === 0
      ? h('div', { class: 'empty' }, h('p', null, 'No projects yet. A run makes one:'), h('pre', null, 'dotnet run --project examples/CatClassification'))
      : shown.length ? table(shown) : h('div', { class: 'empty' }, 'No project matches.'));
  };
  const load = async () => {
    try {
      projects = await api.projects();
      draw();
    } catch (e) {
      mount(body, errorBox(e));
    }
  };
  void load();
  const timer = setInterval(() => void load(), 15000);
  return { el, dispose: () => clearInterval(timer) };
}

function table(projects: Project[]): HTMLElement {
  return h('table', { class: 'table projects-table' },
    h('thead', null, h('tr', null,
      h('th', null, 'Project'), h('th', { class: 'num' }, 'Runs'), h('th', null, 'States'),
      h('th', { class: 'num' }, 'Metrics'), h('th', { class: 'num' }, 'Config keys'), h('th', null, 'Last activity'), h('th', null, ''))),
    h('tbody', null, projects.map((p) => h('tr', { 'data-project': p.name, class: 'clickable', onclick: (e: MouseEvent) => {
      if ((e.target as HTMLElement).closest('a')) return;
      location.hash = href.workspace(p.name);
    } },
    h('td', null, h('a', { class: 'project-link', href: href.workspace(p.name) }, p.name)),
    h('td', { class: 'num' }, String(p.runCount)),
    h('td', null, STATES.filter((s) => (p.runsByState?.[s] ?? 0) > 0).map((s) =>
      h('span', { class: `state state-${s}` }, `${p.runsByState[s]} ${s}`))),
    h('td', { class: 'num' }, String(p.metricKeys?.length ?? 0)),
    h('td', { class: 'num' }, String(p.configKeys?.length ?? 0)),
    h('td', { title: formatTime(p.lastActivityAt) }, formatAgo(p.lastActivityAt)),
    h('td', null, h('a', { href: href.artifacts(p.name), class: 'muted' }, 'Artifacts'))))));
}
