// Moves the values older Keepsake versions kept in AP.cookie (one browser at a time) into the
// user's stored preferences. Reads each documented cookie (docs/legacy-cookies.md); when none
// is left, no call is made at all. The server merges and persists before it answers, and a
// cookie is erased only when the answer says so — so a tab closed at any point loses nothing,
// and the next page view sends what is left again (the merge is idempotent).
//
// A value the server could not read (all of it, or part) stays in the browser as it was. It is
// reported once: the panel remembers it in its own AP.cookie entry and sends it again only if it
// changes — so the message is not repeated on every page view, and pages the user has since
// removed are not added back from the readable part of a value left in place.
import { LEGACY_COOKIE_NAMES } from '../../lib/legacy-cookies/legacy-cookie-names';
import type { CookieMigrationAnswer, CookieResult } from '../shared/api-types';

/** The panel's own AP.cookie entry: `{name: fingerprint}` of each value left unread and reported. */
export const REPORTED_COOKIE = 'keepsake_migration_reported';
const REPORTED_DAYS = 365;

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

/** Length and FNV-1a hash: tells an unchanged value from a changed one, and holds none of it. */
function fingerprint(value: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${value.length}:${hash.toString(16)}`;
}

async function readReported(): Promise<Record<string, string>> {
  const text = await readCookie(REPORTED_COOKIE);
  try {
    const parsed: unknown = text === undefined ? {} : JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
  } catch {
    return {}; // unreadable: everything left is sent (and reported) again
  }
}

/** Left in the browser because something in it could not be read (a full set is sent again later). */
export function leftUnread(result: CookieResult): boolean {
  return !result.erase && (result.outcome === 'rejected' || result.outcome === 'partial') && result.code !== 'LIMIT_REACHED';
}

/** The migration's answer, or undefined when this browser had nothing left to migrate or report. */
export async function migrateLegacyCookies(send: SendCookies): Promise<CookieMigrationAnswer | undefined> {
  const [values, reported] = await Promise.all([Promise.all(LEGACY_COOKIE_NAMES.map(readCookie)), readReported()]);
  const found = new Map<string, string>();
  LEGACY_COOKIE_NAMES.forEach((name, i) => {
    const value = values[i];
    if (value !== undefined) found.set(name, value);
  });
  const cookies: Record<string, string> = {};
  for (const [name, value] of found) if (reported[name] !== fingerprint(value)) cookies[name] = value;
  if (Object.keys(cookies).length === 0) return undefined;

  const answer = await send(cookies);
  const stillReported: Record<string, string> = {};
  for (const [name, value] of found) if (!(name in cookies)) stillReported[name] = fingerprint(value);
  for (const result of answer.results) {
    if (!(result.cookie in cookies)) continue;
    if (result.erase) AP.cookie.erase(result.cookie);
    else if (leftUnread(result)) stillReported[result.cookie] = fingerprint(cookies[result.cookie]);
  }
  if (Object.keys(stillReported).length > 0) AP.cookie.save(REPORTED_COOKIE, JSON.stringify(stillReported), REPORTED_DAYS);
  else if (Object.keys(reported).length > 0) AP.cookie.erase(REPORTED_COOKIE);
  return answer;
}
