// The Columns popover of the runs pane: which config and summary columns the table has, and their
// order (move buttons here; dragging a header does the same). Picking keeps the order already set.

import { h, mount } from '../../dom';
import { moveBy } from '../../lib/columnLayout';
import { chooser, popover } from '../../widgets';
import type { WorkspaceContext } from './context';

export class ColumnsChooser {
  constructor(private readonly ctx: WorkspaceContext) {}

  open(anchor: HTMLElement): void {
    const keys = this.ctx.keys;
    const order = h('div', { class: 'col-order', role: 'list', 'aria-label': 'Column order' });
    const drawOrder = () => {
      const cols = keys.tableColumnKeys();
      mount(order, h('div', { class: 'chooser-group' }, 'Order'), cols.map((id, i) => {
        const [source, ...rest] = id.split('.');
        return h('div', { class: 'col-order-item', role: 'listitem', 'data-col': id },
          h('span', { class: 'muted small' }, source),
          h('span', { class: 'name', title: id }, rest.join('.')),
          h('button', {
            type: 'button', class: 'btn btn-xs', title: 'Move left', 'aria-label': `Move ${id} left`, disabled: i === 0,
            onclick: () => this.move(id, -1, drawOrder),
          }, '←'),
          h('button', {
            type: 'button', class: 'btn btn-xs', title: 'Move right', 'aria-label': `Move ${id} right`, disabled: i === cols.length - 1,
            onclick: () => this.move(id, 1, drawOrder),
          }, '→'));
      }));
    };
    drawOrder();
    const picker = chooser([
      { label: 'Config', options: keys.configKeys().map((k) => ({ value: `config.${k}`, label: k })) },
      { label: 'Summary', options: keys.summaryKeys().map((k) => ({ value: `summary.${k}`, label: k })) },
    ], keys.tableColumnKeys(), (values) => {
      const current = keys.tableColumnKeys();
      const chosen = new Set(values);
      this.ctx.setState({ cols: [...current.filter((c) => chosen.has(c)), ...values.filter((v) => !current.includes(v))] });
      drawOrder();
    });
    popover(anchor, h('div', { class: 'columns-chooser' }, order, picker));
  }

  private move(id: string, delta: number, redraw: () => void): void {
    this.ctx.setState({ cols: moveBy(this.ctx.keys.tableColumnKeys(), id, delta) });
    redraw();
  }
}
