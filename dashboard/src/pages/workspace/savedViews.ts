// Saved views: the workspace's state (filters, sort, grouping, columns, sections, panels,
// smoothing) saved under a name on the server, listed, opened, saved again, deleted, and shared
// as a link that names only the view (`#/projects/{p}?view={id}`), so the link follows the view
// when it is saved again.

import { api, type SavedView } from '../../api';
import { toast } from '../../app';
import { h, mount } from '../../dom';
import { differsFromView, openedState, savedState } from '../../lib/viewState';
import { href } from '../../router';
import { popover } from '../../widgets';
import type { WorkspaceContext } from './context';

export class SavedViews {
  readonly el: HTMLElement;
  private readonly button: HTMLButtonElement;
  /** the view the state came from, once loaded */
  private current: SavedView | null = null;
  private closePopover: (() => void) | null = null;

  constructor(private readonly ctx: WorkspaceContext) {
    this.button = h('button', {
      class: 'btn btn-sm', 'data-views': '', title: 'Save this view, or open a saved one',
      onclick: () => void this.openList(),
    }, 'Views');
    this.el = h('span', { class: 'saved-views' }, this.button);
  }

  /**
   * Loads the view the URL names. A link naming only the view opens it (`openIt`): its saved
   * state replaces the URL's. A view that is gone is dropped from the URL with a message.
   */
  async load(viewId: string, openIt: boolean): Promise<void> {
    try {
      const view = await api.view(this.ctx.name, viewId);
      if (this.ctx.disposed || this.ctx.state.view !== viewId) return;
      this.current = view;
      if (openIt) this.ctx.setState(openedState(view.viewId, view.state));
    } catch {
      toast(`The saved view '${viewId}' no longer exists`, 'error');
      if (this.ctx.state.view === viewId) this.ctx.setState({ view: '' });
    }
    this.render();
  }

  /** The state changed: the button names the view, marked when it differs from what was saved. */
  render(): void {
    const view = this.current && this.current.viewId === this.ctx.state.view ? this.current : null;
    const changed = view ? differsFromView(this.ctx.state, view.state) : false;
    mount(this.button, view ? `View: ${view.name}${changed ? ' •' : ''}` : 'Views');
    this.button.title = view
      ? `Saved view '${view.name}'${changed ? ', changed since it was saved' : ''}`
      : 'Save this view, or open a saved one';
    this.button.classList.toggle('on', !!view);
  }

  private async openList(): Promise<void> {
    const list = h('div', { class: 'views-list' }, h('div', { class: 'muted' }, 'Loading…'));
    const name = h('input', {
      class: 'input input-sm', placeholder: 'Name of a new view', maxlength: 100, 'aria-label': 'View name',
      onkeydown: (e: KeyboardEvent) => {
        if (e.key === 'Enter') void this.saveNew(name.value);
      },
    }) as HTMLInputElement;
    const view = this.current && this.current.viewId === this.ctx.state.view ? this.current : null;
    const content = h('div', { class: 'views-pop' },
      h('div', { class: 'pop-title' }, 'Saved views'),
      list,
      view ? h('button', {
        class: 'btn btn-sm btn-primary', 'data-save-view': '',
        title: 'Save the workspace as it is now into this view (links to it show the new state)',
        onclick: () => void this.saveAgain(view),
      }, `Save '${view.name}'`) : null,
      h('div', { class: 'row' }, name, h('button', {
        class: 'btn btn-sm', 'data-save-new': '', onclick: () => void this.saveNew(name.value),
      }, 'Save as new')));
    this.closePopover = popover(this.button, content, () => (this.closePopover = null));
    try {
      const views = await api.views(this.ctx.name);
      mount(list, views.length ? views.map((v) => this.row(v)) : h('div', { class: 'muted' }, 'No saved views yet.'));
    } catch (e) {
      mount(list, h('div', { class: 'form-error' }, (e as Error).message));
    }
  }

  private row(v: SavedView): HTMLElement {
    const when = new Date(v.savedAt).toLocaleString();
    return h('div', { class: `view-row${v.viewId === this.ctx.state.view ? ' on' : ''}`, 'data-view': v.viewId },
      h('button', { class: 'link view-name', title: `Open '${v.name}'`, onclick: () => this.open(v) }, v.name),
      h('span', { class: 'muted view-meta', title: `saved ${when} with key ${v.savedBy}` }, when),
      h('button', {
        class: 'btn btn-xs', title: 'Copy a link to this view', 'data-view-link': '',
        onclick: () => {
          const link = `${location.origin}${location.pathname}${href.workspace(this.ctx.name, `view=${encodeURIComponent(v.viewId)}`)}`;
          void navigator.clipboard?.writeText(link).then(() => toast('Link to the view copied'), () => toast(link));
        },
      }, 'Link'),
      h('button', {
        class: 'btn btn-xs btn-danger', title: `Delete '${v.name}'`, 'data-view-delete': '',
        onclick: () => void this.remove(v),
      }, 'Delete'));
  }

  private open(v: SavedView): void {
    this.current = v;
    this.closePopover?.();
    this.ctx.setState(openedState(v.viewId, v.state));
    this.render();
  }

  private async saveNew(name: string): Promise<void> {
    if (!name.trim()) {
      toast('A view needs a name', 'error');
      return;
    }
    await this.save(() => api.saveView(this.ctx.name, name.trim(), savedState(this.ctx.state)));
  }

  private async saveAgain(view: SavedView): Promise<void> {
    await this.save(() => api.saveView(this.ctx.name, view.name, savedState(this.ctx.state), view.viewId));
  }

  private async save(call: () => Promise<SavedView>): Promise<void> {
    try {
      this.current = await call();
      this.closePopover?.();
      this.ctx.setState({ view: this.current.viewId });
      this.render();
      toast(`Saved view '${this.current.name}'`);
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  }

  private async remove(v: SavedView): Promise<void> {
    try {
      await api.deleteView(this.ctx.name, v.viewId);
      this.closePopover?.();
      if (this.ctx.state.view === v.viewId) {
        this.current = null;
        this.ctx.setState({ view: '' });
      }
      this.render();
      toast(`Deleted view '${v.name}'`);
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  }
}
