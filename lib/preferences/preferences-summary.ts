/**
 * What the API answers for a user's preferences: everything in the view but the sets, which
 * are counted instead (the sets are read page by page, set-page.ts). Its size does not grow
 * with the sets: a user with 1,000 bookmarks gets the same few hundred bytes as one with none.
 */
import type { PreferencesSummary, PreferencesView } from '../api/answers';

export type { PreferencesSummary };

export function summarize(view: PreferencesView): PreferencesSummary {
  const { bookmarks, watches, ...rest } = view;
  return { ...rest, bookmarkCount: bookmarks.length, watchCount: watches.length };
}
