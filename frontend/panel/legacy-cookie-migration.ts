// Moves the values older Keepsake versions kept in AP.cookie (one browser at a time) into the
// user's stored preferences. Reads each documented cookie (docs/legacy-cookies.md); when none
// is left, no call is made at all. The server merges and persists before it answers, and a
// cookie is erased only when the answer says so — so a tab closed at any point loses nothing,
// and the next page view sends what is left again (the merge is idempotent).
import type { CookieMigrationAnswer } from '../shared/api-types';

export const LEGACY_COOKIE_NAMES = ['keepsake_view_mode', 'keepsake_tracking', 'keepsake_bookmarks', 'keepsake_watches', 'keepsake_saved_at'] as const;

/** How long one AP.cookie.read may take before its value counts as absent (the host may never answer). */
export const COOKIE_READ_TIMEOUT_MS = 5000;

/** Sends the values to the server (the panel queues it behind the user's own changes). */
export type SendCookies = (cookies: Record<string, string>) => Promise<CookieMigrationAnswer>;

function readCookie(name: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    // A host that throws, or never calls back, must not hold the migration forever: the value
    // counts as absent this time and is read again on the next page view.
    const timer = setTimeout(() => resolve(undefined), COOKIE_READ_TIMEOUT_MS);
    const done = (value: string | undefined) => {
      clearTimeout(timer);
      resolve(value);
    };
    try {
      AP.cookie.read(name, (value) => done(typeof value === 'string' && value !== '' ? value : undefined));
    } catch {
      done(undefined);
    }
  });
}

/** The migration's answer, or undefined when this browser had nothing left to migrate. */
export async function migrateLegacyCookies(send: SendCookies): Promise<CookieMigrationAnswer | undefined> {
  const values = await Promise.all(LEGACY_COOKIE_NAMES.map(readCookie));
  const cookies: Record<string, string> = {};
  LEGACY_COOKIE_NAMES.forEach((name, i) => {
    const value = values[i];
    if (value !== undefined) cookies[name] = value;
  });
  if (Object.keys(cookies).length === 0) return undefined;
  const answer = await send(cookies);
  for (const result of answer.results) {
    if (result.erase) AP.cookie.erase(result.cookie);
  }
  return answer;
}
