// A tiny element builder: h('div', {class: 'x', onclick: f}, child, 'text', [more]).

type Child = Node | string | number | null | undefined | false | Child[];
type Props = Record<string, unknown> | null | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = String(v);
      else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
      else if (k === 'dataset' && typeof v === 'object') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
      else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'selected' || k === 'hidden') (el as unknown as Record<string, unknown>)[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function mount(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** Runs `fn` at most once per animation frame, with the latest arguments. */
export function rafThrottle<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  let pending: A | null = null;
  return (...args: A) => {
    const first = pending === null;
    pending = args;
    if (first) {
      requestAnimationFrame(() => {
        const a = pending!;
        pending = null;
        fn(...a);
      });
    }
  };
}

export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): ((...args: A) => void) & { cancel(): void } {
  let t: ReturnType<typeof setTimeout> | undefined;
  const d = (...args: A) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
  d.cancel = () => clearTimeout(t);
  return d;
}

/** A select element from values or [value, label] pairs. */
export function select(options: (string | [string, string])[], value: string, onchange: (v: string) => void, props: Record<string, unknown> = {}): HTMLSelectElement {
  const s = h('select', { ...props, onchange: () => onchange(s.value) },
    options.map((o) => {
      const [v, label] = Array.isArray(o) ? o : [o, o];
      return h('option', { value: v, selected: v === value }, label);
    }));
  s.value = value;
  return s;
}

export function icon(name: 'eye' | 'eye-off' | 'edit' | 'download' | 'x' | 'chevron' | 'live' | 'filter'): SVGSVGElement {
  const paths: Record<string, string> = {
    eye: 'M1 8s2.5-5 7-5 7 5 7 5-2.5 5-7 5-7-5-7-5z M8 10.2a2.2 2.2 0 1 0 0-4.4 2.2 2.2 0 0 0 0 4.4z',
    'eye-off': 'M2 2l12 12 M6.2 3.3A7 7 0 0 1 8 3c4.5 0 7 5 7 5a12 12 0 0 1-1.9 2.5 M4.3 4.6C2.4 5.9 1 8 1 8s2.5 5 7 5c1.2 0 2.3-.4 3.2-.9',
    edit: 'M11 2l3 3-8 8H3v-3z',
    download: 'M8 2v8 M4.5 6.5 8 10l3.5-3.5 M2 13h12',
    x: 'M4 4l8 8 M12 4l-8 8',
    chevron: 'M6 4l4 4-4 4',
    live: 'M8 8m-3 0a3 3 0 1 0 6 0a3 3 0 1 0-6 0',
    filter: 'M2 3h12l-4.5 5.5V13l-3-1.5V8.5z',
  };
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('class', `icon icon-${name}`);
  svg.setAttribute('aria-hidden', 'true');
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', paths[name]);
  svg.appendChild(p);
  return svg;
}
