import { describe, expect, it } from 'vitest';
import { decodeState } from '../../src/lib/urlState';
import { differsFromView, onlyNamesView, openedState, savedState } from '../../src/lib/viewState';

const state = (q: string) => decodeState(new URLSearchParams(q));

describe('saved views', () => {
  it('saves the state without the view it came from', () => {
    expect(savedState(state('view=ab12&group=config.optimizer&smooth=0.6'))).toBe('group=config.optimizer&smooth=0.6');
  });

  it('opens a view as its saved state, remembering its id', () => {
    const s = openedState('ab12', 'sort=-summary.acc&log=loss');
    expect(s.view).toBe('ab12');
    expect(s.sort).toBe('-summary.acc');
    expect(s.log).toEqual(['loss']);
  });

  it('knows a shared link names only a view', () => {
    expect(onlyNamesView(state('view=ab12'))).toBe(true);
    expect(onlyNamesView(state('view=ab12&q=lr'))).toBe(false);
    expect(onlyNamesView(state('q=lr'))).toBe(false);
  });

  it('tells a changed workspace from its view, whatever order the saved parameters were in', () => {
    const saved = 'log=loss&sort=-summary.acc';
    expect(differsFromView(openedState('ab12', saved), saved)).toBe(false);
    expect(differsFromView({ ...openedState('ab12', saved), smooth: 0.5 }, saved)).toBe(true);
  });
});
