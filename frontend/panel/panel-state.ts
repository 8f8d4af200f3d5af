// The panel's state (only what it shows: this page's place in the sets, the counts, the view
// mode, tracking, collapsed), how each answer of the API moves it on, and how it is shown in
// the server-rendered panel: the same controls, updated in place after each change.
import type { PanelState, PreferencesSummary, SetChange } from '../shared/api-types';
import { plural, t } from '../shared/i18n';

/** The state after an answer: a set change says where this page is now; other changes leave that as it was. */
export function afterAnswer(state: PanelState, answer: PreferencesSummary | SetChange): PanelState {
  const page = 'page' in answer && answer.page.contentId === state.page.contentId ? answer.page : state.page;
  return {
    viewMode: answer.viewMode,
    tracking: answer.tracking,
    panelCollapsed: answer.panelCollapsed,
    bookmarkCount: answer.bookmarkCount,
    watchCount: answer.watchCount,
    page,
  };
}

/** "12 bookmarks · 1 watch", as routes/iframes.ts renders it. */
export function setCounts(bookmarks: number, watches: number): string {
  return t('panel.counts', { bookmarks: plural('panel.bookmarks', bookmarks), watches: plural('panel.watches', watches) });
}

export function showState(root: HTMLElement, state: PanelState): void {
  for (const button of root.querySelectorAll<HTMLButtonElement>('button[data-set]')) {
    const on = button.dataset.set === 'bookmarks' ? state.page.bookmarked : state.page.watched;
    button.setAttribute('aria-pressed', String(on));
    const label = button.querySelector('.ks-toggle-label');
    if (label) label.textContent = on ? (button.dataset.onLabel ?? '') : (button.dataset.offLabel ?? '');
  }
  const counts = root.querySelector('#ks-counts');
  if (counts) counts.textContent = setCounts(state.bookmarkCount, state.watchCount);
  for (const radio of root.querySelectorAll<HTMLInputElement>('input[name="viewMode"]')) radio.checked = radio.value === state.viewMode;
  for (const box of root.querySelectorAll<HTMLInputElement>('input[data-tracking]')) {
    box.checked = state.tracking[box.dataset.tracking as keyof PanelState['tracking']] === true;
  }
  root.dataset.viewMode = state.viewMode;
}
