// The runs pane's width: dragged on the separator between it and the panels, remembered in this
// browser (not in the URL: it suits a screen, not a view).

/** Makes `handle` resize the runs pane of `body` (its --runs-w). */
export function resizableRunsPane(body: HTMLElement, handle: HTMLElement): void {
  const saved = Number(localStorage.getItem('runstream.runsWidth'));
  if (saved > 200) body.style.setProperty('--runs-w', `${saved}px`);
  handle.addEventListener('pointerdown', (e) => {
    e.preventDefault();
    handle.setPointerCapture(e.pointerId);
    const left = body.getBoundingClientRect().left;
    const move = (ev: PointerEvent) => {
      const w = Math.max(280, Math.min(ev.clientX - left, window.innerWidth - 320));
      body.style.setProperty('--runs-w', `${w}px`);
      localStorage.setItem('runstream.runsWidth', String(Math.round(w)));
    };
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  });
}
