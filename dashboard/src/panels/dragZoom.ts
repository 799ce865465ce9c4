// Zoom by dragging across a chart's plot, with no modifier key (ECharts' own inside zoom wants
// Shift, so a plain drag is free): a band shows the x range while dragging, and the range goes
// to the owner when the button is released.

import type { ECharts } from 'echarts/core';

/** drags shorter than this are clicks */
const MIN_DRAG_PX = 6;

/** Listens on `el` (the chart's element); `chart` gives its ECharts instance once there is one. Returns a detach function. */
export function dragToZoom(el: HTMLElement, chart: () => ECharts | null, onRange: (range: [number, number]) => void): () => void {
  const local = (e: PointerEvent): [number, number] => {
    const r = el.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  const down = (e: PointerEvent) => {
    const c = chart();
    if (!c || e.button !== 0 || e.shiftKey || e.ctrlKey || e.metaKey || e.altKey) return;
    const [x0, y0] = local(e);
    if (!c.containPixel({ gridIndex: 0 }, [x0, y0])) return;
    const band = document.createElement('div');
    band.className = 'zoom-band';
    band.hidden = true;
    el.appendChild(band);
    let x1 = x0;
    const move = (ev: PointerEvent) => {
      x1 = Math.max(0, Math.min(local(ev)[0], el.clientWidth));
      band.hidden = Math.abs(x1 - x0) < MIN_DRAG_PX;
      band.style.left = `${Math.min(x0, x1)}px`;
      band.style.width = `${Math.abs(x1 - x0)}px`;
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      window.removeEventListener('pointercancel', up);
      band.remove();
      if (Math.abs(x1 - x0) < MIN_DRAG_PX) return;
      const a = Number(c.convertFromPixel({ xAxisIndex: 0 }, x0));
      const b = Number(c.convertFromPixel({ xAxisIndex: 0 }, x1));
      if (Number.isFinite(a) && Number.isFinite(b) && a !== b) onRange([Math.min(a, b), Math.max(a, b)]);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    window.addEventListener('pointercancel', up);
  };
  el.addEventListener('pointerdown', down);
  return () => el.removeEventListener('pointerdown', down);
}
