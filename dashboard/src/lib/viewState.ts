// A saved view is the workspace's query string without its own `view` parameter (so saving it
// again under another id holds the same state). A link with only `view=` opens that view; a link
// with more is the view as someone changed it, which is shown as it is.

import { decodeState, encodeState, queryString, type WorkspaceState } from './urlState';

/** The state a view saves: everything but the view it came from. */
export function savedState(state: WorkspaceState): string {
  return queryString(encodeState({ ...state, view: '' }));
}

/** The workspace after opening a view: its saved state, remembering which view it is. */
export function openedState(viewId: string, saved: string): WorkspaceState {
  return { ...decodeState(new URLSearchParams(saved)), view: viewId };
}

/** Whether the state is nothing but a view's id (a shared link to it): the view must be loaded. */
export function onlyNamesView(state: WorkspaceState): boolean {
  return state.view !== '' && savedState(state) === '';
}

/** Whether the workspace differs from the saved view (compared in their normal form). */
export function differsFromView(state: WorkspaceState, saved: string): boolean {
  return savedState(state) !== queryString(encodeState(decodeState(new URLSearchParams(saved))));
}
