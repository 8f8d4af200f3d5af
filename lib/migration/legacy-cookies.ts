/**
 * The AP.cookie values older Keepsake versions kept in each browser, and a parser for each.
 * The legacy cookie (AUI's conglomerate cookie) silently dropped writes past about 4,020
 * characters, so a value may be cut short: what can be parsed is kept and the rest reported.
 * docs/legacy-cookies.md documents every name and format.
 */
import { VIEW_MODES, contentId, type PageRef, type Tracking, type ViewMode } from '../preferences/schema';

export const LEGACY_COOKIES = {
  viewMode: 'keepsake_view_mode',
  tracking: 'keepsake_tracking',
  bookmarks: 'keepsake_bookmarks',
  watches: 'keepsake_watches',
  savedAt: 'keepsake_saved_at',
} as const;

/** Values at or past this length may have been cut off by the legacy cookie. */
export const TRUNCATION_LENGTH = 4000;
/** Accepted at most per cookie: anything larger did not come from a browser cookie. */
export const MAX_COOKIE_LENGTH = 16_384;

export type CookieOutcome = 'migrated' | 'partial' | 'rejected' | 'ignored';

export interface CookieResult {
  cookie: string;
  outcome: CookieOutcome;
  /** Whether the browser may erase the cookie now (its usable content is stored, or it has none). */
  erase: boolean;
  code?: 'TRUNCATED' | 'MALFORMED' | 'INVALID_ENTRY' | 'UNKNOWN_COOKIE' | 'LIMIT_REACHED';
  message?: string;
}

export interface LegacyValues {
  /** When the browser last saved (from keepsake_saved_at); single values newer than the stored ones win. */
  savedAt?: string;
  viewMode?: ViewMode;
  tracking?: Partial<Tracking>;
  bookmarks?: PageRef[];
  watches?: PageRef[];
}

/** `now` dates pages whose cookie says nothing of when they were added. */
export function parseLegacyCookies(cookies: Record<string, string>, now = new Date()): { values: LegacyValues; results: CookieResult[] } {
  const values: LegacyValues = {};
  const results: CookieResult[] = [];
  const savedAt = parseSavedAt(cookies[LEGACY_COOKIES.savedAt]);
  if (savedAt) values.savedAt = savedAt;
  const fallbackDate = savedAt ?? now.toISOString();

  for (const [cookie, raw] of Object.entries(cookies)) {
    switch (cookie) {
      case LEGACY_COOKIES.savedAt:
        results.push(savedAt ? ok(cookie) : rejected(cookie, 'MALFORMED', 'keepsake_saved_at must be a date (milliseconds since 1970 or ISO-8601).'));
        break;
      case LEGACY_COOKIES.viewMode: {
        const mode = raw.trim();
        if ((VIEW_MODES as readonly string[]).includes(mode)) {
          values.viewMode = mode as ViewMode;
          results.push(ok(cookie));
        } else {
          results.push(rejected(cookie, 'MALFORMED', `keepsake_view_mode must be one of ${VIEW_MODES.join(', ')}; it was "${raw.slice(0, 40)}".`));
        }
        break;
      }
      case LEGACY_COOKIES.tracking: {
        const { tracking, bad } = parseTracking(raw);
        if (Object.keys(tracking).length === 0) {
          results.push(rejected(cookie, 'MALFORMED', 'keepsake_tracking holds no readable setting (expected analytics:1,productEmails:0).'));
        } else {
          values.tracking = tracking;
          results.push(bad.length ? partial(cookie, 'INVALID_ENTRY', `Ignored unreadable parts: ${bad.join(', ').slice(0, 200)}.`) : ok(cookie));
        }
        break;
      }
      case LEGACY_COOKIES.bookmarks:
      case LEGACY_COOKIES.watches: {
        const set = cookie === LEGACY_COOKIES.bookmarks ? 'bookmarks' : 'watches';
        const { pages, problem } = parsePages(raw, fallbackDate);
        if (pages.length === 0 && problem) {
          results.push(rejected(cookie, problem.code, problem.message));
        } else {
          values[set] = pages;
          results.push(problem ? partial(cookie, problem.code, problem.message) : ok(cookie));
        }
        break;
      }
      default:
        results.push({ cookie, outcome: 'ignored', erase: false, code: 'UNKNOWN_COOKIE', message: 'Not a Keepsake cookie; left alone.' });
    }
  }
  return { values, results };
}

function ok(cookie: string): CookieResult {
  return { cookie, outcome: 'migrated', erase: true };
}

function partial(cookie: string, code: CookieResult['code'], message: string): CookieResult {
  return { cookie, outcome: 'partial', erase: true, code, message };
}

/** Nothing in it can be kept, so keeping the cookie would only resend it on every page view. */
function rejected(cookie: string, code: CookieResult['code'], message: string): CookieResult {
  return { cookie, outcome: 'rejected', erase: true, code, message };
}

function parseSavedAt(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  const date = /^\d+$/.test(trimmed) ? new Date(Number(trimmed)) : new Date(trimmed);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** `analytics:1,productEmails:0` (older versions also wrote `=` and true/false). */
function parseTracking(raw: string): { tracking: Partial<Tracking>; bad: string[] } {
  const tracking: Partial<Tracking> = {};
  const bad: string[] = [];
  for (const part of raw.split(/[,;|]/).map((p) => p.trim()).filter(Boolean)) {
    const match = /^(analytics|productEmails)\s*[:=]\s*(1|0|true|false)$/.exec(part);
    if (match) tracking[match[1] as keyof Tracking] = match[2] === '1' || match[2] === 'true';
    else bad.push(part);
  }
  return { tracking, bad };
}

interface PageProblem {
  code: 'TRUNCATED' | 'MALFORMED' | 'INVALID_ENTRY';
  message: string;
}

/**
 * Two formats: a JSON array of {id, title?, at?} (newer versions) or comma-separated ids
 * (older ones). A JSON array cut off mid-way keeps every entry that was complete.
 */
function parsePages(raw: string, fallbackDate: string): { pages: PageRef[]; problem?: PageProblem } {
  const text = raw.trim();
  if (text.startsWith('[')) return parseJsonPages(text, fallbackDate);
  const parts = text.split(',').map((p) => p.trim()).filter(Boolean);
  const cut = text.length >= TRUNCATION_LENGTH;
  // When the cookie was cut off, its last id may be a prefix of the real one: drop it.
  const candidates = cut ? parts.slice(0, -1) : parts;
  const pages = dedupe(candidates.filter((id) => contentId.safeParse(id).success).map((id) => page(id, '', fallbackDate)));
  const invalid = candidates.length - candidates.filter((id) => contentId.safeParse(id).success).length;
  if (cut) return { pages, problem: { code: 'TRUNCATED', message: `The value was cut off at ${text.length} characters by the old cookie; the last, incomplete entry was dropped.` } };
  if (invalid > 0) return { pages, problem: { code: pages.length ? 'INVALID_ENTRY' : 'MALFORMED', message: `${invalid} entr${invalid === 1 ? 'y is' : 'ies are'} not page ids and were ignored.` } };
  return { pages };
}

function parseJsonPages(text: string, fallbackDate: string): { pages: PageRef[]; problem?: PageProblem } {
  let entries: unknown[];
  let truncated = false;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return { pages: [], problem: { code: 'MALFORMED', message: 'Expected a JSON array of pages.' } };
    entries = parsed;
  } catch {
    entries = salvageArray(text);
    truncated = true;
  }
  const pages: PageRef[] = [];
  let invalid = 0;
  for (const entry of entries) {
    const e = entry as { id?: unknown; title?: unknown; at?: unknown } | null;
    const id = typeof e?.id === 'number' ? String(e.id) : e?.id;
    if (typeof id !== 'string' || !contentId.safeParse(id).success) {
      invalid++;
      continue;
    }
    const title = typeof e?.title === 'string' ? e.title.slice(0, 255) : '';
    const at = typeof e?.at === 'number' || typeof e?.at === 'string' ? new Date(e.at) : undefined;
    pages.push(page(id, title, at && !Number.isNaN(at.getTime()) ? at.toISOString() : fallbackDate));
  }
  const unique = dedupe(pages);
  if (truncated) {
    return {
      pages: unique,
      problem: unique.length
        ? { code: 'TRUNCATED', message: `The value was cut off after ${unique.length} complete entr${unique.length === 1 ? 'y' : 'ies'}; those were kept.` }
        : { code: 'MALFORMED', message: 'The value is not a readable JSON array of pages.' },
    };
  }
  if (invalid > 0) return { pages: unique, problem: { code: unique.length ? 'INVALID_ENTRY' : 'MALFORMED', message: `${invalid} entr${invalid === 1 ? 'y has' : 'ies have'} no valid page id and ${invalid === 1 ? 'was' : 'were'} ignored.` } };
  return { pages: unique };
}

/** The complete elements at the start of a JSON array that was cut off. */
function salvageArray(text: string): unknown[] {
  for (let end = text.lastIndexOf('}'); end > 0; end = text.lastIndexOf('}', end - 1)) {
    try {
      const parsed: unknown = JSON.parse(`${text.slice(0, end + 1)}]`);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // not a boundary between elements; try the previous closing brace
    }
  }
  return [];
}

function page(id: string, title: string, addedAt: string): PageRef {
  return { contentId: id, title, addedAt };
}

function dedupe(pages: PageRef[]): PageRef[] {
  const seen = new Set<string>();
  return pages.filter((p) => !seen.has(p.contentId) && seen.add(p.contentId));
}
