// Small shared widgets: a popover, a checkbox chooser, a tag editor.

import { h, icon } from './dom';

let openPopover: { el: HTMLElement; close: () => void } | null = null;

/** Opens `content` under `anchor`; closes on outside click or Escape. */
export function popover(anchor: HTMLElement, content: HTMLElement, onClose?: () => void): () => void {
  openPopover?.close();
  const r = anchor.getBoundingClientRect();
  const el = h('div', { class: 'popover', role: 'dialog' }, content);
  el.style.top = `${r.bottom + window.scrollY + 4}px`;
  el.style.left = `${Math.max(8, Math.min(r.left + window.scrollX, window.innerWidth - 340))}px`;
  document.body.appendChild(el);
  const onDoc = (e: MouseEvent) => {
    if (!el.contains(e.target as Node) && !anchor.contains(e.target as Node)) close();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') close();
  };
  const close = () => {
    el.remove();
    document.removeEventListener('mousedown', onDoc, true);
    document.removeEventListener('keydown', onKey, true);
    if (openPopover?.el === el) openPopover = null;
    onClose?.();
  };
  setTimeout(() => {
    document.addEventListener('mousedown', onDoc, true);
    document.addEventListener('keydown', onKey, true);
  });
  openPopover = { el, close };
  el.querySelector<HTMLElement>('input')?.focus();
  return close;
}

export interface ChooserGroup {
  label: string;
  options: { value: string; label: string }[];
}

/** A searchable list of checkboxes; calls back with the chosen values (in option order). */
export function chooser(groups: ChooserGroup[], chosen: readonly string[], onChange: (values: string[]) => void, o: { max?: number } = {}): HTMLElement {
  const set = new Set(chosen);
  const all = groups.flatMap((g) => g.options.map((x) => x.value));
  const emit = () => onChange(all.filter((v) => set.has(v)));
  const boxes: { row: HTMLElement; value: string; text: string; box: HTMLInputElement }[] = [];
  const search = h('input', {
    type: 'search', class: 'input input-sm', placeholder: 'Search…',
    oninput: () => {
      const q = search.value.toLowerCase();
      for (const b of boxes) b.row.hidden = !!q && !b.text.includes(q);
    },
  });
  const list = h('div', { class: 'chooser-list' }, groups.map((g) => g.options.length ? [
    h('div', { class: 'chooser-group' }, g.label),
    g.options.map((opt) => {
      const box = h('input', {
        type: 'checkbox', checked: set.has(opt.value), value: opt.value,
        onchange: () => {
          if (box.checked) {
            if (o.max && set.size >= o.max) {
              box.checked = false;
              return;
            }
            set.add(opt.value);
          } else set.delete(opt.value);
          emit();
        },
      });
      const row = h('label', { class: 'chooser-item' }, box, h('span', null, opt.label));
      boxes.push({ row, value: opt.value, text: opt.label.toLowerCase(), box });
      return row;
    }),
  ] : null));
  const setAll = (on: boolean) => {
    for (const b of boxes) {
      if (b.row.hidden) continue;
      if (on && o.max && set.size >= o.max && !set.has(b.value)) continue;
      b.box.checked = on;
      if (on) set.add(b.value);
      else set.delete(b.value);
    }
    emit();
  };
  return h('div', { class: 'chooser' },
    h('div', { class: 'chooser-top' }, search,
      h('button', { class: 'btn btn-xs', onclick: () => setAll(true) }, 'All'),
      h('button', { class: 'btn btn-xs', onclick: () => setAll(false) }, 'None')),
    list);
}

/** Tags as chips, and an input that adds one on Enter or comma. Enter on an empty input (or blur) saves. */
export function tagEditor(tags: readonly string[], save: (tags: string[]) => void, cancel: () => void): HTMLElement {
  let current = [...tags];
  let finished = false;
  const chips = h('span', { class: 'tag-edit-chips' });
  const draw = () => chips.replaceChildren(...current.map((t) => h('span', { class: 'tag' }, t,
    h('button', {
      class: 'chip-x', title: `Remove ${t}`, 'aria-label': `Remove tag ${t}`,
      onmousedown: (e: Event) => e.preventDefault(),
      onclick: (e: Event) => {
        e.stopPropagation();
        current = current.filter((x) => x !== t);
        draw();
        input.focus();
      },
    }, icon('x')))));
  const addFrom = (text: string) => {
    for (const t of text.split(',').map((s) => s.trim()).filter(Boolean)) if (!current.includes(t)) current.push(t);
    draw();
  };
  const finish = (ok: boolean) => {
    if (finished) return;
    finished = true;
    if (ok) {
      addFrom(input.value);
      save(current);
    } else cancel();
  };
  const input = h('input', {
    class: 'tag-input', placeholder: 'add tag, Enter to save', 'aria-label': 'Tags',
    onkeydown: (e: KeyboardEvent) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        finish(true);
      } else if (e.key === 'Escape') {
        finish(false);
      } else if (e.key === ',') {
        e.preventDefault();
        addFrom(input.value);
        input.value = '';
      } else if (e.key === 'Backspace' && !input.value && current.length) {
        current.pop();
        draw();
      }
    },
    onblur: () => finish(true),
  });
  draw();
  return h('span', { class: 'tag-editor' }, chips, input);
}

/** A one-line text editor: Enter or blur saves, Escape cancels. */
export function textEditor(value: string, save: (v: string) => void, cancel: () => void, multiline = false): HTMLElement {
  let finished = false;
  const finish = (ok: boolean) => {
    if (finished) return;
    finished = true;
    if (ok && input.value !== value) save(input.value);
    else cancel();
  };
  const input = h(multiline ? 'textarea' : 'input', {
    class: multiline ? 'text-area' : 'text-input', value, 'aria-label': 'Notes',
    onkeydown: (e: KeyboardEvent) => {
      if (e.key === 'Enter' && (!multiline || e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        finish(true);
      } else if (e.key === 'Escape') finish(false);
    },
    onblur: () => finish(true),
  }) as HTMLInputElement;
  return input;
}
