// Runs picked with their checkbox in the runs pane, and what can be done to them at once: delete
// them (gone from the table at once; a toast's Undo restores them, since the server deletes
// softly) or move them to another project of the entity (runs that have ended; the server says
// why any other cannot move).

import { api, type Run } from '../../api';
import { toast } from '../../app';
import { h } from '../../dom';
import { href } from '../../router';
import { popover } from '../../widgets';
import type { WorkspaceContext } from './context';

const plural = (n: number) => `${n} run${n === 1 ? '' : 's'}`;

export class RunSelection {
  /** the actions, shown while runs are picked */
  readonly el: HTMLElement;
  private readonly deleteButton: HTMLButtonElement;
  private readonly moveButton: HTMLButtonElement;
  private readonly selected = new Set<string>();

  constructor(private readonly ctx: WorkspaceContext) {
    this.deleteButton = h('button', {
      class: 'btn btn-xs delete-runs', 'data-testid': 'delete-runs',
      onclick: () => void this.deleteSelected(),
    }, 'Delete');
    this.moveButton = h('button', {
      class: 'btn btn-xs', 'data-testid': 'move-runs', title: 'Move the picked runs to another project',
      onclick: () => void this.chooseProject(),
    }, 'Move');
    this.el = h('span', { class: 'run-actions', hidden: true }, this.moveButton, this.deleteButton);
  }

  /** The row's checkbox. */
  checkbox(run: Run): HTMLInputElement {
    return h('input', {
      type: 'checkbox', class: 'row-select', checked: this.selected.has(run.runId), 'aria-label': `Select ${run.name || run.runId}`,
      onclick: (e: Event) => e.stopPropagation(),
      onchange: (e: Event) => {
        if ((e.target as HTMLInputElement).checked) this.selected.add(run.runId);
        else this.selected.delete(run.runId);
        this.render();
      },
    });
  }

  /** Runs no longer in the table cannot stay picked. */
  prune(runs: readonly Run[]): void {
    const present = new Set(runs.map((r) => r.runId));
    for (const id of this.selected) if (!present.has(id)) this.selected.delete(id);
    this.render();
  }

  private render(): void {
    const n = this.selected.size;
    this.el.hidden = n === 0;
    this.deleteButton.textContent = `Delete ${plural(n)}`;
    this.moveButton.textContent = `Move ${plural(n)}…`;
  }

  /** Takes the picked runs, clearing the pick. */
  private take(): string[] {
    const ids = [...this.selected];
    this.selected.clear();
    this.render();
    return ids;
  }

  private async deleteSelected(): Promise<void> {
    const ids = this.take();
    if (!ids.length) return;
    this.ctx.dropRuns(ids);
    const { done, failure } = await each(ids, (id) => api.deleteRun(this.ctx.name, id));
    if (failure) {
      toast(`Could not delete ${plural(ids.length - done.length)}: ${failure}`, 'error');
      this.ctx.reloadRuns();
    }
    if (!done.length) return;
    toast(`Deleted ${plural(done.length)}`, 'info', { label: 'Undo', run: () => void this.restore(done) });
  }

  private async restore(ids: string[]): Promise<void> {
    const { done, failure } = await each(ids, (id) => api.restoreRun(this.ctx.name, id));
    if (failure) toast(`Could not restore ${plural(ids.length - done.length)}: ${failure}`, 'error');
    if (!this.ctx.disposed) this.ctx.reloadRuns();
  }

  private async chooseProject(): Promise<void> {
    const list = h('datalist', { id: 'move-projects' });
    const input = h('input', {
      class: 'input input-sm', placeholder: 'Project (new or existing)', list: 'move-projects', 'aria-label': 'Move to project',
      onkeydown: (e: KeyboardEvent) => {
        if (e.key === 'Enter') go();
      },
    }) as HTMLInputElement;
    const go = () => {
      const to = input.value.trim();
      if (!to) return;
      close();
      void this.moveSelected(to);
    };
    const close = popover(this.moveButton, h('div', { class: 'move-pop' },
      h('div', { class: 'pop-title' }, `Move ${plural(this.selected.size)} to`),
      h('div', { class: 'row' }, input, list, h('button', { class: 'btn btn-sm btn-primary', 'data-testid': 'move-runs-go', onclick: go }, 'Move')),
      h('div', { class: 'muted small' }, 'Runs that have ended move with their whole history; their old links say where they went.')));
    try {
      const projects = await api.projects();
      list.replaceChildren(...projects.filter((p) => p.name !== this.ctx.name).map((p) => h('option', { value: p.name })));
    } catch { /* a name can still be typed */ }
  }

  private async moveSelected(to: string): Promise<void> {
    const ids = this.take();
    if (!ids.length) return;
    const { done, failure } = await each(ids, (id) => api.moveRun(this.ctx.name, id, to));
    if (done.length) {
      this.ctx.dropRuns(done);
      toast(`Moved ${plural(done.length)} to ${to}`, 'info', { label: 'Open', run: () => { location.hash = href.workspace(to); } });
    }
    if (failure) toast(`Could not move ${plural(ids.length - done.length)}: ${failure}`, 'error');
  }
}

/** Runs `call` for every id side by side: the ids it did, and the first failure's message. */
async function each(ids: readonly string[], call: (id: string) => Promise<unknown>): Promise<{ done: string[]; failure: string | null }> {
  const results = await Promise.allSettled(ids.map(call));
  const done = ids.filter((_, i) => results[i].status === 'fulfilled');
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  return { done, failure: rejected ? (rejected.reason as Error)?.message ?? 'error' : null };
}
