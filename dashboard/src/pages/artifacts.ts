// A project's artifacts, and one artifact: its versions and aliases, a version's files (to
// download) and lineage (the runs that produced it and the runs that used it).

import { api, downloadFile, type ArtifactCollection, type ArtifactVersion } from '../api';
import { errorBox, loadingBox, setCrumbs, toast, type Page } from '../app';
import { h, icon, mount } from '../dom';
import { colorFor } from '../lib/colors';
import { formatAgo, formatBytes, formatTime } from '../lib/values';
import { href } from '../router';

export function artifactsPage(project: string): Page {
  setCrumbs([['Projects', '#/'], [project, href.workspace(project)], ['Artifacts']]);
  const body = h('div', { class: 'card' }, loadingBox());
  const el = h('div', { class: 'page artifacts-page' },
    h('div', { class: 'ws-head' }, h('h1', null, project),
      h('nav', { class: 'tabs' },
        h('a', { class: 'tab', href: href.workspace(project) }, 'Workspace'),
        h('a', { class: 'tab active', href: href.artifacts(project) }, 'Artifacts'))),
    body);
  void (async () => {
    try {
      const collections = await api.artifacts(project);
      if (!collections.length) {
        mount(body, h('div', { class: 'empty' }, 'No artifacts logged in this project yet.'));
        return;
      }
      mount(body, h('table', { class: 'table' },
        h('thead', null, h('tr', null, h('th', null, 'Artifact'), h('th', null, 'Type'), h('th', { class: 'num' }, 'Versions'),
          h('th', null, 'Latest'), h('th', null, 'Aliases'), h('th', { class: 'num' }, 'Size'), h('th', null, 'Created'))),
        h('tbody', null, collections.map((c) => {
          const latest = latestVersion(c);
          return h('tr', { 'data-artifact': c.name },
            h('td', null, h('a', { href: href.artifact(project, c.name) }, c.name)),
            h('td', null, h('span', { class: 'type-badge' }, c.type)),
            h('td', { class: 'num' }, String(c.versions.length)),
            h('td', null, latest ? h('a', { href: href.artifact(project, c.name, latest.version) }, latest.version) : ''),
            h('td', null, c.versions.flatMap((v) => v.aliases.map((a) => h('span', { class: 'alias' }, `${a}:${v.version}`)))),
            h('td', { class: 'num' }, latest ? formatBytes(latest.size) : ''),
            h('td', { title: formatTime(latest?.createdAt) }, formatAgo(latest?.createdAt)));
        }))));
    } catch (e) {
      mount(body, errorBox(e));
    }
  })();
  return { el, dispose() {} };
}

function latestVersion(c: ArtifactCollection): ArtifactVersion | undefined {
  return c.versions.find((v) => v.aliases.includes('latest')) ?? [...c.versions].sort((a, b) => b.index - a.index)[0];
}

export function artifactPage(project: string, name: string, version: string | null): Page {
  setCrumbs([['Projects', '#/'], [project, href.workspace(project)], ['Artifacts', href.artifacts(project)], [version ? `${name}:${version}` : name]]);
  const el = h('div', { class: 'page artifact-page' }, loadingBox());
  void (async () => {
    let collection: ArtifactCollection;
    try {
      collection = await api.artifact(project, name);
    } catch (e) {
      mount(el, errorBox(e));
      return;
    }
    const chosen = version ?? latestVersion(collection)?.version ?? null;
    const detail = h('div', { class: 'artifact-detail-slot' }, chosen ? loadingBox() : h('div', { class: 'empty' }, 'No versions.'));
    const versions = [...collection.versions].sort((a, b) => b.index - a.index);
    mount(el,
      h('div', { class: 'run-head' },
        h('h1', null, collection.name), h('span', { class: 'type-badge' }, collection.type),
        h('span', { class: 'muted' }, `${versions.length} version${versions.length === 1 ? '' : 's'}`),
        h('span', { class: 'spacer' }),
        h('a', { class: 'btn btn-sm', href: href.artifacts(project) }, '← Artifacts')),
      h('div', { class: 'artifact-body' },
        h('aside', { class: 'card versions', 'aria-label': 'Versions' },
          h('h3', null, 'Versions'),
          h('ul', { class: 'version-list' }, versions.map((v) => h('li', { class: v.version === chosen || v.aliases.includes(chosen ?? '') ? 'active' : '', 'data-version': v.version },
            h('a', { href: href.artifact(project, name, v.version) },
              h('b', null, v.version),
              v.aliases.map((a) => h('span', { class: 'alias' }, a)),
              h('span', { class: 'muted small version-meta' }, `${formatBytes(v.size)} · ${formatAgo(v.createdAt)}`)))))),
        detail));
    if (!chosen) return;
    try {
      const v = await api.artifactVersion(project, name, chosen);
      mount(detail, versionDetail(project, collection, v));
    } catch (e) {
      mount(detail, errorBox(e));
    }
  })();
  return { el, dispose() {} };
}

function versionDetail(project: string, c: ArtifactCollection, v: ArtifactVersion): HTMLElement {
  const producers = [...new Set([...(v.createdBy ? [v.createdBy] : []), ...(v.loggedBy ?? [])])];
  const consumers = [...new Set(v.usedBy ?? [])];
  // Nodes show run ids until the runs' names arrive.
  const runNode = (id: string) => h('a', { class: 'lineage-node run-node', href: href.run(project, id), 'data-run-id': id, title: id },
    h('span', { class: 'swatch', style: `background:${colorFor(id)}` }), h('span', { class: 'run-node-name' }, id));
  const el = versionView(project, c, v, producers.map(runNode), consumers.map(runNode));
  void api.runNames(project, [...producers, ...consumers]).then((names) => {
    for (const node of el.querySelectorAll<HTMLElement>('.run-node')) {
      const name = names.get(node.dataset.runId ?? '');
      const label = node.querySelector('.run-node-name');
      if (name && label) label.textContent = name;
    }
  }, () => { /* the ids stay */ });
  return el;
}

function versionView(project: string, c: ArtifactCollection, v: ArtifactVersion, producers: HTMLElement[], consumers: HTMLElement[]): HTMLElement {
  return h('div', { class: 'artifact-detail' },
    h('section', { class: 'card', 'data-card': 'version' },
      h('h3', null, `${c.name}:${v.version}`, v.aliases.map((a) => h('span', { class: 'alias' }, a))),
      h('table', { class: 'kv' }, h('tbody', null,
        h('tr', null, h('th', null, 'Digest'), h('td', null, h('code', { class: 'digest' }, v.digest))),
        h('tr', null, h('th', null, 'Size'), h('td', null, formatBytes(v.size))),
        h('tr', null, h('th', null, 'Files'), h('td', null, String(v.files.length))),
        h('tr', null, h('th', null, 'Created'), h('td', null, formatTime(v.createdAt))),
        v.description ? h('tr', null, h('th', null, 'Description'), h('td', null, v.description)) : null,
        v.metadata && Object.keys(v.metadata).length ? h('tr', null, h('th', null, 'Metadata'), h('td', null, h('code', null, JSON.stringify(v.metadata)))) : null))),
    h('section', { class: 'card', 'data-card': 'lineage' },
      h('h3', null, 'Lineage'),
      h('div', { class: 'lineage' },
        h('div', { class: 'lineage-col' }, h('div', { class: 'lineage-label' }, 'Produced by'),
          producers.length ? producers : h('span', { class: 'muted' }, 'unknown')),
        h('div', { class: 'lineage-arrow' }, '→'),
        h('div', { class: 'lineage-col' }, h('div', { class: 'lineage-label' }, 'Artifact'),
          h('div', { class: 'lineage-node artifact-node' }, h('b', null, `${c.name}:${v.version}`), h('span', { class: 'type-badge' }, c.type))),
        h('div', { class: 'lineage-arrow' }, '→'),
        h('div', { class: 'lineage-col' }, h('div', { class: 'lineage-label' }, 'Used by'),
          consumers.length ? consumers : h('span', { class: 'muted' }, 'no run yet')))),
    h('section', { class: 'card', 'data-card': 'files' },
      h('h3', null, 'Files'),
      h('table', { class: 'table files' },
        h('thead', null, h('tr', null, h('th', null, 'Path'), h('th', { class: 'num' }, 'Size'), h('th', null, 'Digest'), h('th', null, ''))),
        h('tbody', null, v.files.map((f) => h('tr', { 'data-file': f.path },
          h('td', null, h('code', null, f.path)),
          h('td', { class: 'num' }, formatBytes(f.size)),
          h('td', null, h('code', { class: 'muted small', title: f.digest }, f.digest.slice(0, 16))),
          h('td', null, h('button', {
            class: 'btn btn-xs', 'data-download': f.path,
            onclick: () => downloadFile(project, c.name, v.version, f.path).catch((e: Error) => toast(`Download failed: ${e.message}`, 'error')),
          }, icon('download'), 'Download'))))))));
}
