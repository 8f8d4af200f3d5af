/**
 * The AP.cookie names older Keepsake versions wrote (docs/legacy-cookies.md): read by the panel
 * in the browser and parsed by the server, so declared once here, with nothing imported, for
 * both the server and the iframes' bundle.
 */
export const LEGACY_COOKIES = {
  viewMode: 'keepsake_view_mode',
  tracking: 'keepsake_tracking',
  bookmarks: 'keepsake_bookmarks',
  watches: 'keepsake_watches',
  savedAt: 'keepsake_saved_at',
} as const;

export type LegacyCookieName = (typeof LEGACY_COOKIES)[keyof typeof LEGACY_COOKIES];

/** Every name, in the order the panel reads them. */
export const LEGACY_COOKIE_NAMES: readonly LegacyCookieName[] = Object.values(LEGACY_COOKIES);
