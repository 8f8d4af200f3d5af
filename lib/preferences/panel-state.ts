/**
 * What the page panel shows, and nothing more: this page's place in the user's sets, how many
 * pages each set holds, the view mode, the tracking choices and whether the panel is collapsed.
 * The panel embeds it in its HTML, so its size must not grow with the sets.
 */
import type { PageInSets, PanelState, PreferencesView } from '../api/answers';

export type { PageInSets, PanelState };

export function pageInSets(view: PreferencesView, contentId: string): PageInSets {
  const has = (set: PreferencesView['bookmarks']) => contentId !== '' && set.some((p) => p.contentId === contentId);
  return { contentId, bookmarked: has(view.bookmarks), watched: has(view.watches) };
}

export function panelState(view: PreferencesView, contentId: string): PanelState {
  return {
    viewMode: view.viewMode,
    tracking: view.tracking,
    panelCollapsed: view.panelCollapsed,
    bookmarkCount: view.bookmarks.length,
    watchCount: view.watches.length,
    page: pageInSets(view, contentId),
  };
}
