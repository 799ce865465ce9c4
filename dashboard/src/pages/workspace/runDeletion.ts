// Deleting runs from the runs pane: rows picked with their checkbox, "Delete N runs", gone from the
// table at once, and a toast whose Undo restores them (the server deletes softly, so nothing is lost).

import { api, type Run } from '../../api';
import { toast } from '../../app';
import { h } from '../../dom';
import type { WorkspaceContext } from './context';

export class RunDeletion {
  readonly button: HTMLButtonElement;
  private readonly selected = new Set<string>();

  constructor(private readonly ctx: WorkspaceContext) {
    this.button = h('button', {
      class: 'btn btn-xs delete-runs', hidden: true, 'data-testid': 'delete-runs',
      onclick: () => void this.deleteSelected(),
    }, 'Delete');
  }

  /** The row's checkbox. */
  checkbox(run: Run): HTMLInputElement {
    return h('input', {
      type: 'checkbox', class: 'row-select', checked: this.selected.has(run.runId), 'aria-label': `Select ${run.name || run.runId}`,
      onclick: (e: Event) => e.stopPropagation(),
      onchange: (e: Event) => {
        if ((e.target as HTMLInputElement).checked) this.selected.add(run.runId);
        else this.selected.delete(run.runId);
        this.renderButton();
      },
    });
  }

  /** Runs no longer in the table cannot stay picked. */
  prune(runs: readonly Run[]): void {
    const present = new Set(runs.map((r) => r.runId));
    for (const id of this.selected) if (!present.has(id)) this.selected.delete(id);
    this.renderButton();
  }

  private renderButton(): void {
    const n = this.selected.size;
    this.button.hidden = n === 0;
    this.button.textContent = `Delete ${n} run${n === 1 ? '' : 's'}`;
  }

  private async deleteSelected(): Promise<void> {
    const ids = [...this.selected];
    if (!ids.length) return;
    this.selected.clear();
    this.renderButton();
    this.ctx.dropRuns(ids);
    const results = await Promise.allSettled(ids.map((id) => api.deleteRun(this.ctx.name, id)));
    const deleted = ids.filter((_, i) => results[i].status === 'fulfilled');
    const failed = ids.length - deleted.length;
    if (failed) {
      const reason = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason as Error | undefined;
      toast(`Could not delete ${failed} run${failed === 1 ? '' : 's'}: ${reason?.message ?? 'error'}`, 'error');
      this.ctx.reloadRuns();
    }
    if (!deleted.length) return;
    toast(`Deleted ${deleted.length} run${deleted.length === 1 ? '' : 's'}`, 'info', {
      label: 'Undo', run: () => void this.restore(deleted),
    });
  }

  private async restore(ids: string[]): Promise<void> {
    const results = await Promise.allSettled(ids.map((id) => api.restoreRun(this.ctx.name, id)));
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed) toast(`Could not restore ${failed} run${failed === 1 ? '' : 's'}`, 'error');
    if (!this.ctx.disposed) this.ctx.reloadRuns();
  }
}
