// Moves the values older Keepsake versions kept in AP.cookie (one browser at a time) into the
// user's stored preferences. Reads each documented cookie (docs/legacy-cookies.md); when none
// is left, no call is made at all. The server merges and persists before it answers, and a
// cookie is erased only when the answer says so — so a tab closed at any point loses nothing,
// and the next page view sends what is left again (the merge is idempotent).
import type { CookieMigrationAnswer } from '../shared/api-types';
import { callApi } from '../shared/keepsake-api';

export const LEGACY_COOKIE_NAMES = ['keepsake_view_mode', 'keepsake_tracking', 'keepsake_bookmarks', 'keepsake_watches', 'keepsake_saved_at'] as const;

function readCookie(name: string): Promise<string | undefined> {
  return new Promise((resolve) => AP.cookie.read(name, (value) => resolve(typeof value === 'string' && value !== '' ? value : undefined)));
}

/** The migration's answer, or undefined when this browser had nothing left to migrate. */
export async function migrateLegacyCookies(): Promise<CookieMigrationAnswer | undefined> {
  const values = await Promise.all(LEGACY_COOKIE_NAMES.map(readCookie));
  const cookies: Record<string, string> = {};
  LEGACY_COOKIE_NAMES.forEach((name, i) => {
    const value = values[i];
    if (value !== undefined) cookies[name] = value;
  });
  if (Object.keys(cookies).length === 0) return undefined;
  const answer = await callApi<CookieMigrationAnswer>('POST', '/api/migrations/cookies', { cookies });
  for (const result of answer.results) {
    if (result.erase) AP.cookie.erase(result.cookie);
  }
  return answer;
}
