// What a run tells beyond its metrics, as cards of the run page: the failure that ended it and
// where its code came from (git state, command line, runtime, host, packages).

import { api, type RunEnvironment, type RunFailure } from '../api';
import { errorBox } from '../app';
import { h, mount } from '../dom';

/** The exception that ended the run: type and message in view, the traceback below. */
export function failureCard(failure: RunFailure | null | undefined): HTMLElement | null {
  if (!failure) return null;
  return h('section', { class: 'card info-card failure-card', 'data-card': 'failure' },
    h('h3', null, 'Failure'),
    h('div', { class: 'failure-title' }, h('strong', null, failure.type), failure.message ? `: ${failure.message}` : ''),
    h('pre', { class: 'traceback', 'data-testid': 'traceback' }, failure.traceback));
}

/** The run's code state and environment, loaded when the card is made. */
export function environmentCard(project: string, runId: string): HTMLElement {
  const body = h('div', { class: 'muted' }, 'Loading…');
  void api.environment(project, runId).then(
    (environment) => mount(body, environment ? environmentView(environment) : h('div', { class: 'muted' }, 'Not recorded.')),
    (e) => mount(body, errorBox(e)));
  return h('section', { class: 'card info-card', 'data-card': 'code' }, h('h3', null, 'Code and environment'), body);
}

function environmentView(env: RunEnvironment): HTMLElement {
  const git = env.git;
  const rows: [string, Node | string | null][] = [
    ['Commit', git?.commit ? h('code', { title: git.commit }, git.commit.slice(0, 12)) : null],
    ['Branch', git?.branch ?? null],
    ['Remote', git?.remoteUrl ?? null],
    ['Working tree', git ? (git.dirty ? 'uncommitted changes' : 'clean') : null],
    ['Program', env.program ? h('code', null, env.program) : null],
    ['Arguments', env.args?.length ? h('code', null, env.args.join(' ')) : null],
    ['Runtime', env.runtime],
    ['Host', env.host],
    ['OS', env.os],
  ];
  return h('div', null,
    h('table', { class: 'kv' }, h('tbody', null, rows.filter(([, v]) => v).map(([k, v]) =>
      h('tr', null, h('th', null, k), h('td', { 'data-field': k }, v))))),
    git?.diff ? h('details', { class: 'env-more' },
      h('summary', null, `Diff${git.diffTruncated ? ' (cut at the SDK\'s limit)' : ''}`),
      h('pre', { class: 'diff' }, git.diff)) : null,
    env.packages?.length ? h('details', { class: 'env-more' },
      h('summary', null, `Packages (${env.packages.length})`),
      h('pre', { class: 'packages' }, env.packages.join('\n'))) : null);
}
